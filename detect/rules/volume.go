package rules

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"flowsift/detect/alert"
)

// pairGroups collects flow rows per packed key.
func pairGroups(n int, key func(i int) (uint64, bool)) (map[uint64][]int32, []uint64) {
	m := map[uint64][]int32{}
	var order []uint64
	for i := range n {
		k, ok := key(i)
		if !ok {
			continue
		}
		if _, seen := m[k]; !seen {
			order = append(order, k)
		}
		m[k] = append(m[k], int32(i))
	}
	slices.Sort(order)
	return m, order
}

func (rc *runCtx) span(rows []int32) (int64, int64) {
	fl := &rc.data.Flows
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for _, r := range rows {
		first, last = min(first, fl.TS[r]), max(last, fl.TSEnd[r])
	}
	return first, last
}

func asymmetric(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	s := c.Asymmetric
	groups, order := pairGroups(fl.N, func(i int) (uint64, bool) {
		ok := fl.OrigPkts[i] >= s.MinPackets && fl.RespPkts[i] <= s.MaxReplies && !rc.isExcluded(fl.Orig[i])
		return uint64(uint32(fl.Resp[i])), ok
	})
	var out []alert.Alert
	for _, g := range order {
		rows := groups[g]
		victim := int32(g)
		srcs := map[int32]float64{}
		var pkts, replies, biggest int64
		for _, r := range rows {
			srcs[fl.Orig[r]] += float64(fl.OrigPkts[r])
			pkts += fl.OrigPkts[r]
			replies += fl.RespPkts[r]
			biggest = max(biggest, fl.OrigPkts[r])
		}
		first, last := rc.span(rows)
		ev, total := rc.flowEvidence(rows)
		out = append(out, alert.Alert{
			TsFirst: first, TsLast: last,
			Name:       fmt.Sprintf("One-way traffic toward %s (possible DoS)", rc.host(victim)),
			Confidence: confidence(float64(biggest), float64(s.MinPackets)),
			Src:        rc.ranked(srcs, 20), Dst: []string{rc.host(victim)},
			Count: biggest, CountUnit: "packets one way in a flow", Threshold: ptr(float64(s.MinPackets)),
			Evidence: ev, EvidenceTotal: total,
			Description: fmt.Sprintf("%d flows toward %s carried %d packets one way and %d back (threshold: at least %d packets and at most %d replies in one flow)",
				len(rows), rc.host(victim), pkts, replies, s.MinPackets, s.MaxReplies),
			Details: details(map[string]any{"flows": len(rows), "packets": pkts, "replies": replies, "sources": len(srcs)}),
		})
	}
	return out
}

func exfiltration(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	s := c.Exfiltration
	groups, order := pairGroups(fl.N, func(i int) (uint64, bool) {
		if fl.Proto[i] != 6 || !slices.Contains(s.Ports, fl.RespP[i]) || rc.isExcluded(fl.Orig[i]) {
			return 0, false
		}
		out := fl.OrigPayload[i]
		ratio := float64(out) / float64(max(fl.RespPayload[i], 1))
		return pack(fl.Orig[i], fl.Resp[i]), out >= s.MinBytesOut && ratio >= s.MinRatio
	})
	var out []alert.Alert
	for _, g := range order {
		rows := groups[g]
		client, server := unpack(g)
		var up, down, biggest int64
		ports := map[int32]float64{}
		for _, r := range rows {
			up += fl.OrigPayload[r]
			down += fl.RespPayload[r]
			biggest = max(biggest, fl.OrigPayload[r])
			ports[fl.RespP[r]]++
		}
		first, last := rc.span(rows)
		ev, total := rc.flowEvidence(rows)
		a := alert.Alert{
			TsFirst: first, TsLast: last,
			Name:       fmt.Sprintf("Large upload from %s to %s", rc.host(client), rc.host(server)),
			Confidence: confidence(float64(biggest), float64(s.MinBytesOut)),
			Src:        []string{rc.host(client)}, Dst: []string{rc.host(server)},
			Count: up, CountUnit: "bytes uploaded", Threshold: ptr(float64(s.MinBytesOut)),
			Evidence: ev, EvidenceTotal: total,
			Description: fmt.Sprintf("%s sent %s to %s and received %s in %d flows (thresholds: %d bytes out in a flow, upload/download at least %.0f)",
				rc.host(client), bytesText(up), rc.host(server), bytesText(down), len(rows), s.MinBytesOut, s.MinRatio),
			Details: details(map[string]any{"bytes_out": up, "bytes_in": down, "flows": len(rows), "ratio": float64(up) / float64(max(down, 1))}),
		}
		if p, ok := dominant(ports, 0.5); ok {
			a.DstPort = ptr(p)
		}
		out = append(out, a)
	}
	return out
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func unusualPorts(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	s := c.UnusualPorts
	known := map[int32]bool{}
	for _, p := range s.Services {
		known[p] = true
	}
	groups, order := pairGroups(fl.N, func(i int) (uint64, bool) {
		p := fl.RespP[i]
		ok := fl.Proto[i] == 6 && !known[p] && p < s.MinEphemeral && fl.OrigPayload[i] > 0 && fl.RespPayload[i] > 0 && !rc.isExcluded(fl.Orig[i])
		return uint64(uint32(fl.Orig[i])), ok
	})
	var out []alert.Alert
	for _, g := range order {
		rows := groups[g]
		var pkts int64
		for _, r := range rows {
			pkts += fl.OrigPkts[r]
		}
		if pkts < s.MinPackets {
			continue
		}
		src := int32(g)
		ports := map[int32]int{}
		dsts := map[int32]float64{}
		suspicious := false
		for _, r := range rows {
			ports[fl.RespP[r]]++
			dsts[fl.Resp[r]]++
			suspicious = suspicious || slices.Contains(s.Suspicious, fl.RespP[r])
		}
		keys := make([]int32, 0, len(ports))
		for p := range ports {
			keys = append(keys, p)
		}
		sort.Slice(keys, func(i, j int) bool {
			return ports[keys[i]] > ports[keys[j]] || ports[keys[i]] == ports[keys[j]] && keys[i] < keys[j]
		})
		var parts []string
		counts := map[string]int{}
		for _, p := range keys {
			parts = append(parts, fmt.Sprintf("%d (%d)", p, ports[p]))
			counts[fmt.Sprint(p)] = ports[p]
		}
		first, last := rc.span(rows)
		ev, total := rc.flowEvidence(rows)
		a := alert.Alert{
			TsFirst: first, TsLast: last,
			Name:       "Connections to unusual ports from " + rc.host(src),
			Confidence: confidence(float64(pkts), float64(s.MinPackets)) * 0.8,
			Src:        []string{rc.host(src)}, Dst: rc.ranked(dsts, 20),
			Count: pkts, CountUnit: "packets", Threshold: ptr(float64(s.MinPackets)),
			Evidence: ev, EvidenceTotal: total,
			Description: fmt.Sprintf("%s exchanged data over TCP with ports outside the service list: %d packets in %d flows, ports (flows) %s",
				rc.host(src), pkts, len(rows), strings.Join(parts, ", ")),
			Details: details(map[string]any{"ports": counts, "flows": len(rows), "suspicious_port": suspicious}),
		}
		if suspicious {
			a.Severity = alert.SeverityMedium
		}
		if len(keys) == 1 {
			a.DstPort = ptr(keys[0])
		}
		out = append(out, a)
	}
	return out
}

func icmpTunnel(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	s := c.ICMPTunnel
	groups, order := pairGroups(fl.N, func(i int) (uint64, bool) {
		echo := fl.Proto[i] == 1 && (fl.ICMPType[i] == 8 || fl.ICMPType[i] == 0) || fl.Proto[i] == 58 && (fl.ICMPType[i] == 128 || fl.ICMPType[i] == 129)
		if !echo || rc.isExcluded(fl.Orig[i]) || fl.OrigPkts[i] < s.MinPackets || fl.OrigPayload[i]+fl.RespPayload[i] < s.MinBytes {
			return 0, false
		}
		odd := fl.OrigPLMean[i] >= s.MinMeanPayload || fl.OrigPLStd[i] >= s.MinPayloadStd
		return pack(fl.Orig[i], fl.Resp[i]), odd
	})
	var out []alert.Alert
	for _, g := range order {
		rows := groups[g]
		src, dst := unpack(g)
		var pkts, bytes int64
		var mean, std float64
		for _, r := range rows {
			pkts += fl.OrigPkts[r] + fl.RespPkts[r]
			bytes += fl.OrigPayload[r] + fl.RespPayload[r]
			mean = max(mean, fl.OrigPLMean[r])
			if !math.IsNaN(fl.OrigPLStd[r]) {
				std = max(std, fl.OrigPLStd[r])
			}
		}
		first, last := rc.span(rows)
		ev, total := rc.flowEvidence(rows)
		out = append(out, alert.Alert{
			TsFirst: first, TsLast: last,
			Name:       fmt.Sprintf("ICMP tunnel between %s and %s", rc.host(src), rc.host(dst)),
			Confidence: confidence(max(mean/s.MinMeanPayload, std/s.MinPayloadStd), 1),
			Src:        []string{rc.host(src)}, Dst: []string{rc.host(dst)},
			Count: bytes, CountUnit: "payload bytes", Threshold: ptr(float64(s.MinBytes)),
			Evidence: ev, EvidenceTotal: total,
			Description: fmt.Sprintf("ICMP echo between %s and %s carried %s in %d packets; payloads averaged %.0f bytes (std %.0f), where ping sends fixed 32 or 56 bytes",
				rc.host(src), rc.host(dst), bytesText(bytes), pkts, mean, std),
			Details: details(map[string]any{"packets": pkts, "mean_payload": mean, "payload_std": std}),
		})
	}
	return out
}

func amplification(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	s := c.Amplification
	svc := map[int32]bool{}
	for _, p := range s.ServicePorts {
		svc[p] = true
	}
	var events, synack []event
	for i := range fl.N {
		switch fl.Proto[i] {
		case 17:
			// The reflector is the side on a service port; the victim is
			// the other side, which (being spoofed) never asked.
			var refl, victim, port int32
			var reflBytes, victimPkts int64
			switch {
			case svc[fl.OrigP[i]] && !svc[fl.RespP[i]]:
				refl, victim, port, reflBytes, victimPkts = fl.Orig[i], fl.Resp[i], fl.OrigP[i], fl.OrigIPBytes[i], fl.RespPkts[i]
			case svc[fl.RespP[i]] && !svc[fl.OrigP[i]]:
				refl, victim, port, reflBytes, victimPkts = fl.Resp[i], fl.Orig[i], fl.RespP[i], fl.RespIPBytes[i], fl.OrigPkts[i]
			default:
				continue
			}
			if victimPkts > s.MaxVictimPackets || reflBytes == 0 || rc.isExcluded(refl) {
				continue
			}
			events = append(events, event{group: pack(victim, port), from: fl.TS[i], to: fl.TSEnd[i], weight: float64(reflBytes), row: int32(i), sub: refl})
		case 6:
			// SYN-ACKs from a host to one that never sent a SYN.
			h := fl.History[i]
			var refl, victim int32
			switch {
			case strings.Contains(h, "h") && !strings.Contains(h, "S"):
				refl, victim = fl.Resp[i], fl.Orig[i]
			case strings.Contains(h, "H") && !strings.Contains(h, "s"):
				refl, victim = fl.Orig[i], fl.Resp[i]
			default:
				continue
			}
			if !rc.isExcluded(refl) {
				synack = append(synack, event{group: uint64(uint32(victim)), from: fl.TS[i], to: fl.TSEnd[i], weight: 1, row: int32(i), sub: refl})
			}
		}
	}
	hop := s.Window.NS() / 2
	sortEvents(events)
	sortEvents(synack)
	var out []alert.Alert
	for _, r := range runs(cells(events, hop), hop, float64(s.MinBytes)) {
		evs := overlapping(events, r.group, r.from, r.to)
		refl := map[int32]float64{}
		for _, e := range evs {
			refl[e.sub] += e.weight
		}
		if int64(len(refl)) < s.MinReflectors {
			continue
		}
		victim, port := unpack(r.group)
		out = append(out, rc.reflectionAlert(evs, refl, victim, port, fmt.Sprintf("UDP/%d reflection", port), r.peak, float64(s.MinBytes), "bytes per window", time.Duration(s.Window)))
	}
	// SYN-ACK reflection: distinct reflectors per window.
	var dc []distinctCell
	for _, e := range synack {
		dc = append(dc, distinctCell{e.group, floorDiv(e.from, hop), int64(e.sub)})
	}
	for _, r := range distinctRuns(dc, hop, int(s.SYNACKMinReflectors)) {
		evs := overlapping(synack, r.group, r.from, r.to)
		refl := map[int32]float64{}
		for _, e := range evs {
			refl[e.sub]++
		}
		out = append(out, rc.reflectionAlert(evs, refl, int32(r.group), -1, "SYN-ACK reflection", r.peak, float64(s.SYNACKMinReflectors), "distinct reflectors per window", time.Duration(s.Window)))
	}
	return out
}

func (rc *runCtx) reflectionAlert(evs []event, refl map[int32]float64, victim, port int32, what string, peak, threshold float64, unit string, window time.Duration) alert.Alert {
	rows := make([]int32, len(evs))
	first, last := evs[0].from, evs[0].to
	var total float64
	for i, e := range evs {
		rows[i] = e.row
		first, last = min(first, e.from), max(last, e.to)
		total += e.weight
	}
	ev, n := rc.flowEvidence(rows)
	a := alert.Alert{
		TsFirst: first, TsLast: last,
		Name:       fmt.Sprintf("%s attack on %s from %d reflectors", what, rc.host(victim), len(refl)),
		Confidence: confidence(peak, threshold),
		Src:        rc.ranked(refl, 20), Dst: []string{rc.host(victim)},
		Count: int64(peak), CountUnit: unit, Threshold: ptr(threshold),
		Evidence: ev, EvidenceTotal: n,
		Description: fmt.Sprintf("%d hosts sent unsolicited answers to %s (%.0f %s within %s); the victim never asked, so its address was spoofed in requests to them",
			len(refl), rc.host(victim), peak, unit, window),
		Details: details(map[string]any{"reflectors": len(refl), "total": total, "window": window.String()}),
	}
	if port >= 0 {
		// The service port is the reflectors' source port, not a port of
		// the victim: it goes to the details.
		a.Details = details(map[string]any{"reflectors": len(refl), "total": total, "window": window.String(), "service_port": port})
	}
	return a
}
