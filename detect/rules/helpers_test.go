package rules

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"flowsift/detect/alert"
)

// base is the start of every test capture. It is a multiple of every
// default hop (5 s, 30 s, 150 s, 300 s), so test times line up with
// window buckets: with a 10 s window, [base, base+5s) is one bucket.
var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

// at returns base plus d as capture nanoseconds.
func at(d time.Duration) int64 { return base + int64(d) }

// flowRow is one flows.parquet row in the form the detections read:
// addresses as text, times as offsets from base. A nil ICMP type and nil
// payload statistics are nulls, as in the table.
type flowRow struct {
	UID                      string
	TS, End                  time.Duration // End < TS means End = TS
	Orig, Resp               string
	OrigP, RespP             int32
	Proto                    int32
	State, History           string
	OrigPkts, RespPkts       int64
	OrigPayload, RespPayload int64
	OrigIPBytes, RespIPBytes int64
	OrigSYN, RespSYN         int64
	OrigFIN, OrigACK         int64
	OrigRST, RespRST         int64
	ICMPType                 *int32
	PLMean, PLStd            *float64
	Service                  string
}

// dnsRow is one dns.parquet row; an empty RCode means no answer was seen.
type dnsRow struct {
	UID       string
	Depth     int64
	TS        time.Duration
	Orig      string
	Resp      string
	Query     string
	QType     string
	RCode     string
	Domain    string
	LongLabel int64
	Entropy   float64
}

// httpRow is one http.parquet row.
type httpRow struct {
	UID    string
	Depth  int64
	TS     time.Duration
	Orig   string
	Resp   string
	RespP  int32
	Method string
}

// tables are the rows of a test capture. A nil DNS or HTTP slice means the
// table is absent (as when extract found no DNS or HTTP).
type tables struct {
	Flows []flowRow
	DNS   []dnsRow
	HTTP  []httpRow
}

// buildData builds the columns [Load] would produce from these rows.
// Rows without a uid get "C<index>" (flows), "D<index>" (dns) or
// "H<index>" (http).
func buildData(tb testing.TB, t tables) *Data {
	tb.Helper()
	h := newHosts()
	d := &Data{Hosts: h, CaptureID: "test"}
	fl := &d.Flows
	fl.N = len(t.Flows)
	for i, r := range t.Flows {
		end := r.End
		if end < r.TS {
			end = r.TS
		}
		icmp := int32(-1)
		if r.ICMPType != nil {
			icmp = *r.ICMPType
		}
		fl.UID = append(fl.UID, cmpOr(r.UID, fmt.Sprintf("C%d", i)))
		fl.TS = append(fl.TS, at(r.TS))
		fl.TSEnd = append(fl.TSEnd, at(end))
		fl.Orig = append(fl.Orig, h.ID(r.Orig))
		fl.Resp = append(fl.Resp, h.ID(r.Resp))
		fl.OrigP = append(fl.OrigP, r.OrigP)
		fl.RespP = append(fl.RespP, r.RespP)
		fl.Proto = append(fl.Proto, r.Proto)
		fl.State = append(fl.State, r.State)
		fl.History = append(fl.History, r.History)
		fl.OrigPkts = append(fl.OrigPkts, r.OrigPkts)
		fl.RespPkts = append(fl.RespPkts, r.RespPkts)
		fl.OrigPayload = append(fl.OrigPayload, r.OrigPayload)
		fl.RespPayload = append(fl.RespPayload, r.RespPayload)
		fl.OrigIPBytes = append(fl.OrigIPBytes, r.OrigIPBytes)
		fl.RespIPBytes = append(fl.RespIPBytes, r.RespIPBytes)
		fl.OrigSYN = append(fl.OrigSYN, r.OrigSYN)
		fl.RespSYN = append(fl.RespSYN, r.RespSYN)
		fl.OrigFIN = append(fl.OrigFIN, r.OrigFIN)
		fl.OrigACK = append(fl.OrigACK, r.OrigACK)
		fl.OrigRST = append(fl.OrigRST, r.OrigRST)
		fl.RespRST = append(fl.RespRST, r.RespRST)
		fl.ICMPType = append(fl.ICMPType, icmp)
		fl.OrigPLMean = append(fl.OrigPLMean, nanIfNil(r.PLMean))
		fl.OrigPLStd = append(fl.OrigPLStd, nanIfNil(r.PLStd))
		fl.Service = append(fl.Service, r.Service)
	}
	if t.DNS != nil {
		dn := &DNS{N: len(t.DNS)}
		for i, r := range t.DNS {
			dn.UID = append(dn.UID, cmpOr(r.UID, fmt.Sprintf("D%d", i)))
			dn.Depth = append(dn.Depth, r.Depth)
			dn.TS = append(dn.TS, at(r.TS))
			dn.Orig = append(dn.Orig, h.ID(r.Orig))
			dn.Resp = append(dn.Resp, h.ID(r.Resp))
			dn.Query = append(dn.Query, r.Query)
			dn.QType = append(dn.QType, r.QType)
			dn.RCode = append(dn.RCode, r.RCode)
			dn.Domain = append(dn.Domain, r.Domain)
			dn.LongLabel = append(dn.LongLabel, r.LongLabel)
			dn.Entropy = append(dn.Entropy, r.Entropy)
			dn.Answered = append(dn.Answered, r.RCode != "")
		}
		d.DNS = dn
	}
	if t.HTTP != nil {
		ht := &HTTP{N: len(t.HTTP)}
		for i, r := range t.HTTP {
			ht.UID = append(ht.UID, cmpOr(r.UID, fmt.Sprintf("H%d", i)))
			ht.Depth = append(ht.Depth, r.Depth)
			ht.TS = append(ht.TS, at(r.TS))
			ht.Orig = append(ht.Orig, h.ID(r.Orig))
			ht.Resp = append(ht.Resp, h.ID(r.Resp))
			ht.RespP = append(ht.RespP, r.RespP)
			ht.Method = append(ht.Method, r.Method)
		}
		d.HTTP = ht
	}
	return d
}

func cmpOr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func nanIfNil(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// got is the part of an alert the detection tests compare: who, what,
// when, how many, against which threshold, and how much evidence.
type got struct {
	RuleID        string
	Severity      string
	Src, Dst      []string
	DstPort       int32 // -1 when unset
	First, Last   time.Duration
	Count         int64
	Threshold     float64 // -1 when unset
	EvidenceTotal int64
}

func project(as []alert.Alert) []got {
	var out []got
	for _, a := range as {
		g := got{
			RuleID: a.RuleID, Severity: a.Severity, Src: a.Src, Dst: a.Dst, DstPort: -1,
			First: time.Duration(a.TsFirst - base), Last: time.Duration(a.TsLast - base),
			Count: a.Count, Threshold: -1, EvidenceTotal: a.EvidenceTotal,
		}
		if a.DstPort != nil {
			g.DstPort = *a.DstPort
		}
		if a.Threshold != nil {
			g.Threshold = *a.Threshold
		}
		out = append(out, g)
	}
	return out
}

// Row builders for common traffic.

// synProbe is a TCP SYN that was never completed (state S0, history S).
func synProbe(ts time.Duration, src string, sport int32, dst string, dport int32) flowRow {
	return flowRow{TS: ts, Orig: src, OrigP: sport, Resp: dst, RespP: dport, Proto: 6, State: "S0", History: "S", OrigPkts: 1, OrigSYN: 1, OrigIPBytes: 44}
}

// echo is an ICMP (v4) echo request flow of n packets.
func echo(ts, end time.Duration, src, dst string, n int64) flowRow {
	return flowRow{TS: ts, End: end, Orig: src, OrigP: 8, Resp: dst, RespP: 0, Proto: 1, State: "OTH", OrigPkts: n, RespPkts: n,
		OrigPayload: 56 * n, RespPayload: 56 * n, OrigIPBytes: 84 * n, RespIPBytes: 84 * n, ICMPType: ptr[int32](8), PLMean: ptr(56.0), PLStd: ptr(0.0)}
}

// udpFlow is a UDP flow of n packets with r replies.
func udpFlow(ts time.Duration, src string, sport int32, dst string, dport int32, n, r int64) flowRow {
	return flowRow{TS: ts, Orig: src, OrigP: sport, Resp: dst, RespP: dport, Proto: 17, State: "SF", OrigPkts: n, RespPkts: r,
		OrigPayload: 100 * n, RespPayload: 100 * r, OrigIPBytes: 128 * n, RespIPBytes: 128 * r}
}

// tcpSession is a completed TCP connection that exchanged data.
func tcpSession(ts time.Duration, src string, sport int32, dst string, dport int32, pkts, up, down int64) flowRow {
	return flowRow{TS: ts, End: ts + time.Second, Orig: src, OrigP: sport, Resp: dst, RespP: dport, Proto: 6, State: "SF", History: "ShADadFf",
		OrigPkts: pkts, RespPkts: pkts, OrigPayload: up, RespPayload: down, OrigIPBytes: up + 52*pkts, RespIPBytes: down + 52*pkts,
		OrigSYN: 1, RespSYN: 1, OrigFIN: 1, OrigACK: pkts - 1}
}

// addrs returns n distinct addresses of the form prefix.X.Y.
func addrs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s.%d.%d", prefix, i/250, i%250+1)
	}
	return out
}

// firstSorted returns the first n of a in string order, as alerts rank
// equally weighted hosts.
func firstSorted(a []string, n int) []string {
	s := slices.Clone(a)
	slices.Sort(s)
	return s[:min(n, len(s))]
}

// ms returns n milliseconds.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// sec returns s seconds.
func sec(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
