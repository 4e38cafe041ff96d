package rules

import (
	"fmt"
	"slices"
	"time"

	"flowsift/detect/alert"
)

// floodSpec describes a volumetric detection over events grouped by
// victim (event.group = victim host id, event.sub = source host id).
type floodSpec struct {
	window    int64
	total     float64 // per victim in a window
	perSource float64 // per source toward one victim in a window
	unit      string  // what a weight counts
	title     string  // "SYN flood"
	// accept can veto a run after looking at its events (e.g. a SYN
	// "flood" spread over many ports is a scan).
	accept func(evs []event) (bool, map[string]any)
	// port returns the destination port of an event's row (-1: none).
	port func(row int32) int32
	// evidence turns rows into evidence references.
	evidence func(rows []int32) ([]string, int64)
}

// flood turns events into one alert per victim and burst.
func flood(rc *runCtx, events []event, s floodSpec) []alert.Alert {
	hop := s.window / 2
	sortEvents(events)
	victimRuns := runs(cells(events, hop), hop, s.total)
	// Per-source bursts: regroup by (victim, source).
	bySource := make([]event, len(events))
	for i, e := range events {
		e.group = pack(int32(e.group), e.sub)
		bySource[i] = e
	}
	for _, r := range runs(cells(bySource, hop), hop, s.perSource) {
		v, _ := unpack(r.group)
		victimRuns = append(victimRuns, run{group: uint64(uint32(v)), from: r.from, to: r.to, peak: r.peak})
	}
	var out []alert.Alert
	for _, r := range mergeRuns(victimRuns) {
		evs := overlapping(events, r.group, r.from, r.to)
		if len(evs) == 0 {
			continue
		}
		extra := map[string]any{}
		if s.accept != nil {
			ok, more := s.accept(evs)
			if !ok {
				continue
			}
			extra = more
		}
		out = append(out, rc.floodAlert(r, evs, s, extra))
	}
	return out
}

// mergeRuns joins overlapping runs of the same group.
func mergeRuns(rs []run) []run {
	slices.SortFunc(rs, func(a, b run) int {
		if a.group != b.group {
			if a.group < b.group {
				return -1
			}
			return 1
		}
		return int(a.from - b.from)
	})
	var out []run
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].group == r.group && r.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, r.to)
			out[n-1].peak = max(out[n-1].peak, r.peak)
			continue
		}
		out = append(out, r)
	}
	return out
}

// flowSpec fills the flow-table defaults of a flood spec.
func (rc *runCtx) flowSpec(s floodSpec) floodSpec {
	s.port = func(row int32) int32 { return rc.data.Flows.RespP[row] }
	s.evidence = rc.flowEvidence
	return s
}

func (rc *runCtx) floodAlert(r run, evs []event, s floodSpec, extra map[string]any) alert.Alert {
	victim := int32(r.group)
	bySrc := map[int32]float64{}
	rows := make([]int32, 0, len(evs))
	var total float64
	first, last := evs[0].from, evs[0].to
	ports := map[int32]float64{}
	for _, e := range evs {
		bySrc[e.sub] += e.weight
		rows = append(rows, e.row)
		total += e.weight
		first, last = min(first, e.from), max(last, e.to)
		ports[s.port(e.row)] += e.weight
	}
	srcs := rc.ranked(bySrc, 20)
	ev, evTotal := s.evidence(rows)
	// A run below the per-victim threshold was raised by one source
	// reaching the per-source threshold: report the threshold it crossed.
	threshold := s.total
	if r.peak+1e-9 < s.total {
		threshold = s.perSource
	}
	name := fmt.Sprintf("%s toward %s", s.title, rc.host(victim))
	desc := fmt.Sprintf("%.0f %s toward %s within %s (threshold %.0f per victim, %.0f per source) from %d sources",
		r.peak, s.unit, rc.host(victim), time.Duration(s.window), s.total, s.perSource, len(bySrc))
	if len(bySrc) >= 100 {
		name += fmt.Sprintf(" from %d sources", len(bySrc))
		desc += "; the many sources suggest spoofing or a botnet"
	}
	a := alert.Alert{
		TsFirst: first, TsLast: last,
		Name: name, Confidence: confidence(r.peak, threshold),
		Src: srcs, Dst: []string{rc.host(victim)},
		Count: int64(r.peak + 0.5), CountUnit: s.unit + " per window", Threshold: ptr(threshold),
		Evidence: ev, EvidenceTotal: evTotal, Description: desc,
	}
	if p, ok := dominant(ports, 0.8); ok && p >= 0 {
		a.DstPort = ptr(p)
	}
	det := map[string]any{"window": time.Duration(s.window).String(), "distinct_sources": len(bySrc), "total": total, "per_source_threshold": s.perSource}
	for k, v := range extra {
		det[k] = v
	}
	a.Details = details(det)
	return a
}

// dominant returns the key holding at least share of the total weight.
func dominant(m map[int32]float64, share float64) (int32, bool) {
	var total, best float64
	var key int32
	for k, v := range m {
		total += v
		if v > best || v == best && k < key {
			best, key = v, k
		}
	}
	return key, total > 0 && best/total >= share
}

func (rc *runCtx) httpEvidence(rows []int32) ([]string, int64) {
	h := rc.data.HTTP
	rows = uniqueRows(rows)
	n := min(len(rows), rc.maxEvidence)
	ev := make([]string, n)
	for i := range n {
		ev[i] = fmt.Sprintf("http:%s:%d", h.UID[rows[i]], h.Depth[rows[i]])
	}
	return ev, int64(len(rows))
}

// incomplete reports whether a TCP flow's originator, having sent a SYN,
// never completed the handshake: no pure ACK and no data from it. A
// victim answering with SYN cookies makes the state S1 (history "Sh"), so
// the state alone does not tell.
func incomplete(history string) bool {
	for i := 0; i < len(history); i++ {
		if history[i] == 'A' || history[i] == 'D' {
			return false
		}
	}
	return true
}

func synFlood(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	var events []event
	for i := range fl.N {
		if fl.Proto[i] != 6 || fl.OrigSYN[i] == 0 || !incomplete(fl.History[i]) || rc.isExcluded(fl.Orig[i]) {
			continue
		}
		events = append(events, event{group: uint64(uint32(fl.Resp[i])), from: fl.TS[i], to: fl.TSEnd[i], weight: float64(fl.OrigSYN[i]), row: int32(i), sub: fl.Orig[i]})
	}
	s := c.SYNFlood
	return flood(rc, events, rc.flowSpec(floodSpec{
		window: s.Window.NS(), total: float64(s.MinSYNs), perSource: float64(s.MinSYNsPerSource),
		unit: "incomplete SYNs", title: "SYN flood",
		accept: func(evs []event) (bool, map[string]any) {
			ports := map[int32]float64{}
			for _, e := range evs {
				ports[fl.RespP[e.row]] += e.weight
			}
			var total, top float64
			for _, v := range ports {
				total += v
				top = max(top, v)
			}
			spread := 1 - top/total
			return spread <= s.MaxPortSpread, map[string]any{"distinct_ports": len(ports), "port_spread": spread}
		},
	}))
}

func icmpFlood(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	var events []event
	for i := range fl.N {
		echo := fl.Proto[i] == 1 && fl.ICMPType[i] == 8 || fl.Proto[i] == 58 && fl.ICMPType[i] == 128
		if !echo || rc.isExcluded(fl.Orig[i]) {
			continue
		}
		events = append(events, event{group: uint64(uint32(fl.Resp[i])), from: fl.TS[i], to: fl.TSEnd[i], weight: float64(fl.OrigPkts[i]), row: int32(i), sub: fl.Orig[i]})
	}
	s := c.ICMPFlood
	spec := rc.flowSpec(floodSpec{window: s.Window.NS(), total: float64(s.MinPackets), perSource: float64(s.MinPacketsPerSource), unit: "ICMP echo requests", title: "ICMP flood"})
	spec.port = func(int32) int32 { return -1 } // ICMP has no ports: resp_p holds a type or code
	return flood(rc, events, spec)
}

func udpFlood(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	var events []event
	for i := range fl.N {
		if fl.Proto[i] != 17 || rc.isExcluded(fl.Orig[i]) || fl.OrigPkts[i] == 0 {
			continue
		}
		events = append(events, event{group: uint64(uint32(fl.Resp[i])), from: fl.TS[i], to: fl.TSEnd[i], weight: float64(fl.OrigPkts[i]), row: int32(i), sub: fl.Orig[i]})
	}
	s := c.UDPFlood
	return flood(rc, events, rc.flowSpec(floodSpec{
		window: s.Window.NS(), total: float64(s.MinPackets), perSource: float64(s.MinPacketsPerSource),
		unit: "UDP packets", title: "UDP flood",
		accept: func(evs []event) (bool, map[string]any) {
			var sent, replies float64
			for _, e := range evs {
				sent += float64(fl.OrigPkts[e.row])
				replies += float64(fl.RespPkts[e.row])
			}
			ratio := replies / sent
			return ratio <= s.MaxReplyRatio, map[string]any{"reply_ratio": ratio}
		},
	}))
}

func httpFlood(d *Data, c *Config, rc *runCtx) []alert.Alert {
	h := d.HTTP
	events := make([]event, 0, h.N)
	for i := range h.N {
		if rc.isExcluded(h.Orig[i]) {
			continue
		}
		events = append(events, event{group: uint64(uint32(h.Resp[i])), from: h.TS[i], to: h.TS[i], weight: 1, row: int32(i), sub: h.Orig[i]})
	}
	s := c.HTTPFlood
	return flood(rc, events, floodSpec{
		window: s.Window.NS(), total: float64(s.MinRequests), perSource: float64(s.MinRequestsPerSource),
		unit: "requests", title: "HTTP request flood",
		port: func(row int32) int32 { return h.RespP[row] }, evidence: rc.httpEvidence,
	})
}
