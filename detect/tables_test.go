package detect

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"flowsift/extract"
)

// writeTestParquet writes the rows gen emits to path the way the extract
// stage writes its tables (zstd, 128 Ki rows per row group), in batches so
// that a million rows never sit in memory at once.
func writeTestParquet[T any](tb testing.TB, path string, gen func(emit func(*T))) int {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := parquet.NewGenericWriter[T](f, parquet.Compression(&parquet.Zstd), parquet.MaxRowsPerRowGroup(128<<10))
	batch := make([]T, 0, 4096)
	n := 0
	var werr error
	flush := func() {
		if werr == nil && len(batch) > 0 {
			_, werr = w.Write(batch)
		}
		batch = batch[:0]
	}
	gen(func(r *T) {
		batch = append(batch, *r)
		n++
		if len(batch) == cap(batch) {
			flush()
		}
	})
	flush()
	if werr == nil {
		werr = w.Close()
	}
	if werr != nil {
		tb.Fatalf("write %s: %v", path, werr)
	}
	return n
}

func valPtr[T any](v T) *T { return &v }

// benchFlowRow holds the flows.parquet columns the threshold detections
// read ([rules.Load]), with extract.FlowRow's names and types
// (TestBenchFlowRowMatchesExtract checks it). Writing the other ~120
// columns of a million FlowRows would triple the benchmark's setup time,
// which CI pays on every smoke run, without changing what Load reads.
type benchFlowRow struct {
	UID              string   `parquet:"uid"`
	CaptureID        string   `parquet:"capture_id,dict"`
	TS               int64    `parquet:"ts,timestamp(microsecond)"`
	TSEnd            int64    `parquet:"ts_end,timestamp(microsecond)"`
	OrigH            string   `parquet:"orig_h"`
	OrigP            int32    `parquet:"orig_p"`
	RespH            string   `parquet:"resp_h"`
	RespP            int32    `parquet:"resp_p"`
	Proto            string   `parquet:"proto,dict"`
	IPProto          int32    `parquet:"ip_proto"`
	ICMPType         *int32   `parquet:"icmp_type,optional"`
	ConnState        string   `parquet:"conn_state,dict"`
	History          *string  `parquet:"history,optional,dict"`
	Service          *string  `parquet:"service,optional,dict"`
	OrigPkts         int64    `parquet:"orig_pkts"`
	RespPkts         int64    `parquet:"resp_pkts"`
	OrigIPBytes      int64    `parquet:"orig_ip_bytes"`
	RespIPBytes      int64    `parquet:"resp_ip_bytes"`
	OrigPayloadBytes int64    `parquet:"orig_payload_bytes"`
	RespPayloadBytes int64    `parquet:"resp_payload_bytes"`
	OrigFinPkts      int64    `parquet:"orig_fin_pkts"`
	OrigSynPkts      int64    `parquet:"orig_syn_pkts"`
	OrigRstPkts      int64    `parquet:"orig_rst_pkts"`
	OrigAckPkts      int64    `parquet:"orig_ack_pkts"`
	RespSynPkts      int64    `parquet:"resp_syn_pkts"`
	RespRstPkts      int64    `parquet:"resp_rst_pkts"`
	OrigPLMean       *float64 `parquet:"orig_pl_mean,optional"`
	OrigPLStd        *float64 `parquet:"orig_pl_std,optional"`
}

// TestBenchFlowRowMatchesExtract: every benchFlowRow column is a
// flows.parquet column of the same type and nullability.
func TestBenchFlowRowMatchesExtract(t *testing.T) {
	full := parquet.SchemaOf(new(extract.FlowRow))
	for _, f := range parquet.SchemaOf(new(benchFlowRow)).Fields() {
		lc, ok := full.Lookup(f.Name())
		if !ok {
			t.Errorf("column %s is not in extract.FlowRow", f.Name())
			continue
		}
		if got, want := f.Type().String(), lc.Node.Type().String(); got != want || f.Optional() != lc.Node.Optional() {
			t.Errorf("column %s: %s optional=%v, extract.FlowRow has %s optional=%v", f.Name(), got, f.Optional(), want, lc.Node.Optional())
		}
	}
}

// Shared values for nullable columns: rows point at them instead of
// allocating one pointer per row.
var (
	hSession = valPtr("ShADadFf")
	hS0      = valPtr("S")
	hREJ     = valPtr("Sr")
	svcSSL   = valPtr("ssl")
	svcHTTP  = valPtr("http")
	svcDNS   = valPtr("dns")
	icmpEcho = valPtr[int32](8)
	icmpUnr  = valPtr[int32](3)
	pl56     = valPtr(56.0)
	pl0      = valPtr(0.0)
	qtA      = valPtr("A")
	qtAAAA   = valPtr("AAAA")
	qtTXT    = valPtr("TXT")
	rcOK     = valPtr("NOERROR")
	rcNX     = valPtr("NXDOMAIN")
	mGET     = valPtr("GET")
	mPOST    = valPtr("POST")
)

// benchTables are the row counts of a generated extract directory.
type benchTables struct {
	flows, dns, http int
}

// dnsName is a query name with its precomputed columns.
type dnsName struct {
	query, domain *string
	longest       *int32
	entropy       *float64
}

// writeMixedTables writes flows.parquet, dns.parquet and http.parquet with
// n flows of an hour of office traffic from 1000 hosts: HTTPS and HTTP
// sessions, DNS, QUIC and NTP, pings, other services, failed connections,
// and a few attacks (a spoofed SYN flood, a port scan, a DNS tunnel, a
// beacon) so that the detections have something to report. DNS rows
// belong to the DNS flows (about 15% of flows) and HTTP rows to the HTTP
// flows (about 5% of flows, two requests each on average).
func writeMixedTables(tb testing.TB, dir string, n int) benchTables {
	tb.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	start := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC).UnixMicro()
	const span = int64(3600e6) // µs
	clients := make([]string, 1000)
	for i := range clients {
		clients[i] = fmt.Sprintf("10.0.%d.%d", i/250, i%250+2)
	}
	servers := make([]string, 5000)
	for i := range servers {
		servers[i] = fmt.Sprintf("%d.%d.%d.%d", 23+i%150, (i*7)%256, (i*13)%256, i%250+1)
	}
	resolvers := []string{"10.0.0.53", "10.0.0.54"}
	names := make([]dnsName, 5000)
	for i := range names {
		dom := fmt.Sprintf("site%d.example", i%300)
		q := fmt.Sprintf("%s%d.%s", []string{"www", "api", "cdn", "img", "static"}[i%5], i/300, dom)
		names[i] = dnsName{query: valPtr(q), domain: valPtr(dom), longest: valPtr(int32(len(dom) - 8)), entropy: valPtr(2.8 + float64(i%10)/20)}
	}
	tunnelNames := make([]dnsName, 500)
	for i := range tunnelNames {
		q := fmt.Sprintf("%048x.t.tunnel.example", uint64(i)*0x9e3779b97f4a7c15)
		tunnelNames[i] = dnsName{query: valPtr(q), domain: valPtr("tunnel.example"), longest: valPtr(int32(48)), entropy: valPtr(3.9)}
	}
	// server popularity: a few servers take most sessions
	server := func() string { return servers[int(float64(len(servers))*rng.Float64()*rng.Float64()*rng.Float64())] }
	client := func() string { return clients[rng.IntN(len(clients))] }

	type httpReq struct {
		ts        int64
		uid       string
		orig      string
		oport     int32
		resp      string
		n, method int
	}
	type dnsReq struct {
		ts           int64
		uid          string
		orig, resp   string
		oport        int32
		name         *dnsName
		qtype, rcode *string
	}
	var dnsRows []dnsReq
	var httpRows []httpReq

	// Attack ranges (row indexes), placed by position in the hour.
	flood := [2]int{n / 5, n/5 + n/200}         // 0.5% of rows in ~18 s
	scan := [2]int{2 * n / 5, 2*n/5 + n/1000}   // 0.1% of rows
	tunnel := [2]int{3 * n / 5, 3*n/5 + n/2000} // 0.05% of rows
	beaconEvery := max(n/60, 1)                 // ~ one a minute
	spoofed := func(i int) string { return fmt.Sprintf("198.18.%d.%d", i/250%256, i%250+1) }

	var res benchTables
	res.flows = writeTestParquet(tb, dir+"/"+extract.FlowsFile, func(emit func(*benchFlowRow)) {
		var r benchFlowRow
		for i := range n {
			r = benchFlowRow{CaptureID: "bench"}
			r.UID = "C" + strconv.FormatInt(int64(i)*7919+1_000_000_007, 36)
			r.TS = start + int64(i)*span/int64(n) + rng.Int64N(1000)
			dur := rng.Int64N(2e6)
			r.OrigP = int32(32768 + rng.IntN(28000))
			r.OrigH = client()
			session := func(port int32, pkts, up, down int64, svc *string) {
				r.Proto, r.IPProto, r.RespP, r.ConnState, r.History, r.Service = "tcp", 6, port, "SF", hSession, svc
				r.OrigPkts, r.RespPkts = pkts, pkts+rng.Int64N(pkts)
				r.OrigPayloadBytes, r.RespPayloadBytes = up, down
				r.OrigIPBytes, r.RespIPBytes = up+52*r.OrigPkts, down+52*r.RespPkts
				r.OrigSynPkts, r.RespSynPkts, r.OrigFinPkts, r.OrigAckPkts = 1, 1, 1, pkts-1
				dur = rng.Int64N(30e6)
			}
			switch c := rng.IntN(1000); {
			case i >= flood[0] && i < flood[1]:
				// Spoofed SYN flood toward one web server.
				r.OrigH, r.RespH, r.RespP, r.Proto, r.IPProto, r.ConnState, r.History = spoofed(i), "10.0.0.80", 443, "tcp", 6, "S0", hS0
				r.OrigPkts, r.OrigSynPkts, r.OrigIPBytes, dur = 1, 1, 44, 0
			case i >= scan[0] && i < scan[1]:
				r.OrigH, r.RespH, r.RespP, r.Proto, r.IPProto, r.ConnState, r.History = "10.0.3.99", "10.0.0.80", int32(1+(i-scan[0])%65535), "tcp", 6, "REJ", hREJ
				r.OrigPkts, r.RespPkts, r.OrigSynPkts, r.RespRstPkts, r.OrigIPBytes, r.RespIPBytes, dur = 1, 1, 1, 1, 44, 40, 0
			case i >= tunnel[0] && i < tunnel[1]:
				r.OrigH, r.RespH, r.RespP, r.Proto, r.IPProto, r.ConnState, r.Service = "10.0.2.77", resolvers[0], 53, "udp", 17, "SF", svcDNS
				r.OrigPkts, r.RespPkts, r.OrigPayloadBytes, r.RespPayloadBytes, r.OrigIPBytes, r.RespIPBytes, dur = 1, 1, 90, 200, 118, 228, 2000
				dnsRows = append(dnsRows, dnsReq{r.TS, r.UID, r.OrigH, resolvers[0], r.OrigP, &tunnelNames[(i-tunnel[0])%len(tunnelNames)], qtTXT, rcOK})
			case i%beaconEvery == beaconEvery/2:
				r.OrigH, r.RespH = "10.0.1.66", "185.199.110.153"
				session(443, 4, 310, 420, svcSSL)
				r.RespPkts, r.OrigIPBytes, dur = 4, 518, 300e3
			case c < 520:
				r.RespH = server()
				session(443, 5+rng.Int64N(60), 500+rng.Int64N(20000), 2000+rng.Int64N(200000), svcSSL)
			case c < 570:
				r.RespH = server()
				session(80, 5+rng.Int64N(30), 300+rng.Int64N(3000), 1000+rng.Int64N(100000), svcHTTP)
				httpRows = append(httpRows, httpReq{r.TS, r.UID, r.OrigH, r.OrigP, r.RespH, 1 + rng.IntN(3), rng.IntN(10)})
			case c < 720:
				name := &names[int(float64(len(names))*rng.Float64()*rng.Float64())]
				rc := rcOK
				if rng.IntN(50) == 0 {
					rc = rcNX
				}
				qt := qtA
				if rng.IntN(3) == 0 {
					qt = qtAAAA
				}
				res := resolvers[rng.IntN(2)]
				r.RespH, r.RespP, r.Proto, r.IPProto, r.ConnState, r.Service = res, 53, "udp", 17, "SF", svcDNS
				r.OrigPkts, r.RespPkts, r.OrigPayloadBytes, r.RespPayloadBytes, dur = 1, 1, 40, 120, rng.Int64N(50e3)
				r.OrigIPBytes, r.RespIPBytes = 68, 148
				dnsRows = append(dnsRows, dnsReq{r.TS, r.UID, r.OrigH, res, r.OrigP, name, qt, rc})
			case c < 800:
				r.RespH, r.Proto, r.IPProto, r.ConnState = server(), "udp", 17, "SF"
				switch c % 3 {
				case 0: // QUIC
					r.RespP, r.OrigPkts, r.RespPkts = 443, 10+rng.Int64N(200), 10+rng.Int64N(300)
				case 1: // NTP
					r.RespP, r.OrigP, r.OrigPkts, r.RespPkts = 123, 123, 1, 1
				default: // mDNS
					r.RespH, r.RespP, r.OrigP, r.OrigPkts, r.RespPkts = "224.0.0.251", 5353, 5353, 1, 0
				}
				r.OrigPayloadBytes, r.RespPayloadBytes = 48*r.OrigPkts, 900*r.RespPkts
				r.OrigIPBytes, r.RespIPBytes = r.OrigPayloadBytes+28*r.OrigPkts, r.RespPayloadBytes+28*r.RespPkts
			case c < 840:
				r.RespH, r.Proto, r.IPProto, r.ConnState, r.OrigP, r.RespP = server(), "icmp", 1, "OTH", 8, 0
				r.ICMPType, r.OrigPLMean, r.OrigPLStd = icmpEcho, pl56, pl0
				if c%10 == 0 {
					r.ICMPType, r.OrigP, r.RespP = icmpUnr, 3, 3
				}
				r.OrigPkts = 1 + rng.Int64N(10)
				r.RespPkts = r.OrigPkts
				r.OrigPayloadBytes, r.RespPayloadBytes, r.OrigIPBytes, r.RespIPBytes = 56*r.OrigPkts, 56*r.RespPkts, 84*r.OrigPkts, 84*r.RespPkts
			case c < 900:
				r.RespH = server()
				session([]int32{22, 3389, 445, 8080, 993, 25}[c%6], 5+rng.Int64N(100), 100+rng.Int64N(5000), 100+rng.Int64N(50000), nil)
			case c < 960:
				r.RespH, r.Proto, r.IPProto, r.RespP = server(), "tcp", 6, []int32{443, 80, 8443}[c%3]
				r.ConnState, r.History, r.OrigPkts, r.OrigSynPkts, r.OrigIPBytes = "S0", hS0, 1+rng.Int64N(3), 1, 44
				if c%2 == 0 {
					r.ConnState, r.History, r.RespPkts, r.RespRstPkts, r.RespIPBytes = "REJ", hREJ, 1, 1, 40
				}
				r.OrigSynPkts = r.OrigPkts
			default:
				r.RespH = clients[rng.IntN(len(clients))]
				session([]int32{445, 139, 3389, 22}[c%4], 5+rng.Int64N(50), 100+rng.Int64N(50000), 100+rng.Int64N(50000), nil)
			}
			r.TSEnd = r.TS + dur
			emit(&r)
		}
	})
	res.dns = writeTestParquet(tb, dir+"/"+extract.DNSFile, func(emit func(*extract.DNSRow)) {
		for _, q := range dnsRows {
			emit(&extract.DNSRow{TS: q.ts, UID: q.uid, CaptureID: "bench", TransDepth: 1, OrigH: q.orig, OrigP: q.oport, RespH: q.resp, RespP: 53,
				Proto: "udp", Query: q.name.query, QTypeName: q.qtype, RcodeName: q.rcode, RD: true, RA: true, OpcodeName: "QUERY",
				LongestLabel: q.name.longest, QueryEntropy: q.name.entropy, RegisteredDomain: q.name.domain})
		}
	})
	res.http = writeTestParquet(tb, dir+"/"+extract.HTTPFile, func(emit func(*extract.HTTPRow)) {
		for _, h := range httpRows {
			for d := range h.n {
				m := mGET
				if (h.method+d)%10 == 0 {
					m = mPOST
				}
				emit(&extract.HTTPRow{TS: h.ts + int64(d)*20e3, UID: h.uid, CaptureID: "bench", TransDepth: int32(d + 1), OrigH: h.orig, OrigP: h.oport,
					RespH: h.resp, RespP: 80, Method: m})
			}
		}
	})
	return res
}
