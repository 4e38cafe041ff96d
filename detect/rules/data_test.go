package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parquet-go/parquet-go"

	"flowsift/extract"
)

// TestLoadMatchesBuildData: Load over Parquet tables written from
// extract's row types gives the columns buildData builds from the same
// rows, so the detection tests run on what the command runs on. Nulls:
// icmp_type -1, payload statistics NaN, strings "", a missing rcode
// unanswered, a missing table nil.
func TestLoadMatchesBuildData(t *testing.T) {
	flows := []flowRow{
		synProbe(sec(1), attacker, 40000, victim, 80),
		tcpSession(sec(2), client, 50000, remote, 443, 10, 1000, 20000),
		echo(sec(3), sec(4), "2001:db8::1", "2001:db8::2", 5),
	}
	flows[1].Service = "ssl"
	dns := []dnsRow{
		{UID: "C1", Depth: 1, TS: sec(2), Orig: client, Resp: resolver, Query: "a.example.com", QType: "A", RCode: "NOERROR", Domain: "example.com", LongLabel: 7, Entropy: 2.5},
		{UID: "C1", Depth: 2, TS: sec(3), Orig: client, Resp: resolver, Query: "b.example.com", QType: "TXT", Domain: "example.com", LongLabel: 7, Entropy: 2.4},
	}
	for name, tabs := range map[string]tables{
		"flows only":          {Flows: flows},
		"flows, dns and http": {Flows: flows, DNS: dns, HTTP: []httpRow{{UID: "C1", Depth: 1, TS: sec(2), Orig: client, Resp: remote, RespP: 80, Method: "GET"}}},
		"empty tables":        {Flows: []flowRow{}, DNS: []dnsRow{}, HTTP: []httpRow{}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeExtractTables(t, dir, tabs)
			got, err := Load(dir)
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			want := buildData(t, tabs)
			if len(tabs.Flows) == 0 {
				want.CaptureID = "" // taken from the first flow
			}
			opts := cmp.Options{
				cmpopts.EquateNaNs(), cmpopts.EquateEmpty(),
				cmpopts.IgnoreUnexported(Hosts{}),
				// Host ids depend on interning order: compare addresses.
				cmpopts.IgnoreFields(Flows{}, "Orig", "Resp"), cmpopts.IgnoreFields(DNS{}, "Orig", "Resp"), cmpopts.IgnoreFields(HTTP{}, "Orig", "Resp"),
				cmpopts.IgnoreFields(Hosts{}, "Names"),
			}
			if diff := cmp.Diff(got, want, opts); diff != "" {
				t.Errorf("Load() (-got, +want from buildData):\n%s", diff)
			}
			addrs := func(d *Data) map[string][]string {
				m := map[string][]string{}
				names := func(ids []int32) []string {
					out := make([]string, len(ids))
					for i, id := range ids {
						out[i] = d.Hosts.Names[id]
					}
					return out
				}
				m["flows.orig"], m["flows.resp"] = names(d.Flows.Orig), names(d.Flows.Resp)
				if d.DNS != nil {
					m["dns.orig"], m["dns.resp"] = names(d.DNS.Orig), names(d.DNS.Resp)
				}
				if d.HTTP != nil {
					m["http.orig"], m["http.resp"] = names(d.HTTP.Orig), names(d.HTTP.Resp)
				}
				return m
			}
			if diff := cmp.Diff(addrs(got), addrs(want), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Load() addresses (-got, +want from buildData):\n%s", diff)
			}
		})
	}
}

func TestLoadMissingFlows(t *testing.T) {
	if _, err := Load(t.TempDir()); !os.IsNotExist(err) {
		t.Errorf("Load(empty dir) error = %v, want a not-exist error", err)
	}
}

// writeExtractTables writes the rows as the extract stage's tables.
func writeExtractTables(t *testing.T, dir string, tabs tables) {
	t.Helper()
	us := func(d time.Duration) int64 { return at(d) / 1e3 }
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var fr []extract.FlowRow
	for i, r := range tabs.Flows {
		end := max(r.End, r.TS)
		row := extract.FlowRow{
			UID: cmpOr(r.UID, "C"+itoa(i)), CaptureID: "test", TS: us(r.TS), TSEnd: us(end),
			OrigH: r.Orig, OrigP: r.OrigP, RespH: r.Resp, RespP: r.RespP, IPProto: r.Proto,
			ConnState: r.State, History: opt(r.History), Service: opt(r.Service),
			OrigPkts: r.OrigPkts, RespPkts: r.RespPkts, OrigPayloadBytes: r.OrigPayload, RespPayloadBytes: r.RespPayload,
			OrigIPBytes: r.OrigIPBytes, RespIPBytes: r.RespIPBytes, OrigSynPkts: r.OrigSYN, RespSynPkts: r.RespSYN,
			OrigFinPkts: r.OrigFIN, OrigAckPkts: r.OrigACK, OrigRstPkts: r.OrigRST, RespRstPkts: r.RespRST,
			ICMPType: r.ICMPType, OrigPLMean: r.PLMean, OrigPLStd: r.PLStd,
		}
		fr = append(fr, row)
	}
	writeRows(t, filepath.Join(dir, extract.FlowsFile), fr)
	if tabs.DNS != nil {
		var dr []extract.DNSRow
		for i, r := range tabs.DNS {
			ll, ent := int32(r.LongLabel), r.Entropy
			dr = append(dr, extract.DNSRow{UID: cmpOr(r.UID, "D"+itoa(i)), TransDepth: int32(r.Depth), TS: us(r.TS), CaptureID: "test",
				OrigH: r.Orig, RespH: r.Resp, RespP: 53, Query: opt(r.Query), QTypeName: opt(r.QType), RcodeName: opt(r.RCode),
				RegisteredDomain: opt(r.Domain), LongestLabel: &ll, QueryEntropy: &ent})
		}
		writeRows(t, filepath.Join(dir, extract.DNSFile), dr)
	}
	if tabs.HTTP != nil {
		var hr []extract.HTTPRow
		for i, r := range tabs.HTTP {
			hr = append(hr, extract.HTTPRow{UID: cmpOr(r.UID, "H"+itoa(i)), TransDepth: int32(r.Depth), TS: us(r.TS), CaptureID: "test",
				OrigH: r.Orig, RespH: r.Resp, RespP: r.RespP, Method: opt(r.Method)})
		}
		writeRows(t, filepath.Join(dir, extract.HTTPFile), hr)
	}
}

func writeRows[T any](t *testing.T, path string, rows []T) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := parquet.NewGenericWriter[T](f, parquet.Compression(&parquet.Zstd))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return fmt.Sprint(i) }
