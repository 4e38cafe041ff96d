package rules

import (
	"fmt"
	"time"

	"flowsift/detect/alert"
)

func (rc *runCtx) dnsEvidence(rows []int32) ([]string, int64) {
	d := rc.data.DNS
	rows = uniqueRows(rows)
	n := min(len(rows), rc.maxEvidence)
	ev := make([]string, n)
	for i := range n {
		ev[i] = fmt.Sprintf("dns:%s:%d", d.UID[rows[i]], d.Depth[rows[i]])
	}
	return ev, int64(len(rows))
}

func dnsHeavy(d *Data, c *Config, rc *runCtx) []alert.Alert {
	dn := d.DNS
	events := make([]event, 0, dn.N)
	for i := range dn.N {
		if !rc.isExcluded(dn.Orig[i]) {
			events = append(events, event{group: uint64(uint32(dn.Orig[i])), from: dn.TS[i], to: dn.TS[i], weight: 1, row: int32(i), sub: dn.Resp[i]})
		}
	}
	s := c.DNS
	hop := s.HeavyWindow.NS() / 2
	sortEvents(events)
	var out []alert.Alert
	for _, r := range runs(cells(events, hop), hop, float64(s.HeavyMinQueries)) {
		evs := overlapping(events, r.group, r.from, r.to)
		client := int32(r.group)
		rows := make([]int32, len(evs))
		servers := map[int32]float64{}
		for i, e := range evs {
			rows[i] = e.row
			servers[e.sub]++
		}
		ev, total := rc.dnsEvidence(rows)
		out = append(out, alert.Alert{
			TsFirst: evs[0].from, TsLast: evs[len(evs)-1].to,
			Name: "Heavy DNS use by " + rc.host(client), Severity: alert.SeverityLow,
			Confidence: confidence(r.peak, float64(s.HeavyMinQueries)),
			Src:        []string{rc.host(client)}, Dst: rc.ranked(servers, 10),
			Count: int64(r.peak), CountUnit: "queries per window", Threshold: ptr(float64(s.HeavyMinQueries)),
			Evidence: ev, EvidenceTotal: total,
			Description: fmt.Sprintf("%s sent %.0f DNS queries within %s (threshold %d)", rc.host(client), r.peak, time.Duration(s.HeavyWindow), s.HeavyMinQueries),
			Details:     details(map[string]any{"window": time.Duration(s.HeavyWindow).String(), "queries_total": len(evs)}),
		})
	}
	return out
}

func dnsTunnel(d *Data, c *Config, rc *runCtx) []alert.Alert {
	dn := d.DNS
	s := c.DNS
	hop := s.TunnelWindow.NS() / 2
	domains, names := newHosts(), newHosts()
	var distinct []distinctCell
	var longEv, txtEv, all []event
	for i := range dn.N {
		if dn.Domain[i] == "" || rc.isExcluded(dn.Orig[i]) {
			continue
		}
		g := pack(dn.Orig[i], domains.ID(dn.Domain[i]))
		name := names.ID(dn.Query[i])
		e := event{group: g, from: dn.TS[i], to: dn.TS[i], weight: 1, row: int32(i), sub: name}
		all = append(all, e)
		distinct = append(distinct, distinctCell{g, floorDiv(dn.TS[i], hop), int64(name)})
		if dn.LongLabel[i] >= s.LongLabel && dn.Entropy[i] >= s.HighEntropy {
			longEv = append(longEv, e)
		}
		if dn.QType[i] == "TXT" || dn.QType[i] == "NULL" {
			txtEv = append(txtEv, e)
		}
	}
	sortEvents(all)
	var rs []run
	for _, r := range distinctRuns(distinct, hop, int(s.TunnelMinSubdomains)) {
		// Many names alone also describes busy CDNs and trackers: demand
		// some sign of encoded data as well.
		var long, txt int
		for _, e := range overlapping(all, r.group, r.from, r.to) {
			if dn.LongLabel[e.row] >= s.LongLabel/2 && dn.Entropy[e.row] >= s.HighEntropy-0.5 {
				long++
			}
			if dn.QType[e.row] == "TXT" || dn.QType[e.row] == "NULL" {
				txt++
			}
		}
		if long >= 5 || txt >= 5 {
			rs = append(rs, r)
		}
	}
	rs = append(rs, runs(cells(longEv, hop), hop, float64(s.TunnelMinLongQueries))...)
	rs = append(rs, runs(cells(txtEv, hop), hop, float64(s.TunnelMinTXT))...)
	var out []alert.Alert
	for _, r := range mergeRuns(rs) {
		evs := overlapping(all, r.group, r.from, r.to)
		if len(evs) == 0 {
			continue
		}
		client, dom := unpack(r.group)
		rows := make([]int32, len(evs))
		uniq := map[int32]bool{}
		var long, txt int
		var maxLabel int64
		var entropy float64
		servers := map[int32]float64{}
		for i, e := range evs {
			rows[i] = e.row
			uniq[e.sub] = true
			servers[dn.Resp[e.row]]++
			if dn.LongLabel[e.row] >= s.LongLabel && dn.Entropy[e.row] >= s.HighEntropy {
				long++
			}
			if dn.QType[e.row] == "TXT" || dn.QType[e.row] == "NULL" {
				txt++
			}
			maxLabel = max(maxLabel, dn.LongLabel[e.row])
			entropy += dn.Entropy[e.row]
		}
		entropy /= float64(len(evs))
		ev, total := rc.dnsEvidence(rows)
		domain := domains.Names[dom]
		// Report the finding that crossed its threshold.
		count, threshold, unit := int64(len(uniq)), s.TunnelMinSubdomains, "distinct names"
		switch {
		case count >= s.TunnelMinSubdomains:
		case int64(long) >= s.TunnelMinLongQueries:
			count, threshold, unit = int64(long), s.TunnelMinLongQueries, "long high-entropy queries"
		case int64(txt) >= s.TunnelMinTXT:
			count, threshold, unit = int64(txt), s.TunnelMinTXT, "TXT/NULL queries"
		}
		out = append(out, alert.Alert{
			TsFirst: evs[0].from, TsLast: evs[len(evs)-1].to,
			Name:       fmt.Sprintf("DNS tunnelling to %s from %s", domain, rc.host(client)),
			Confidence: confidence(float64(count), float64(threshold)),
			Src:        []string{rc.host(client)}, Dst: rc.ranked(servers, 10),
			Count: count, CountUnit: unit, Threshold: ptr(float64(threshold)),
			Evidence: ev, EvidenceTotal: total,
			Description: fmt.Sprintf("%s queried %d distinct names under %s within %s: %d with long high-entropy labels, %d TXT/NULL queries, longest label %d characters",
				rc.host(client), len(uniq), domain, time.Duration(s.TunnelWindow), long, txt, maxLabel),
			Details: details(map[string]any{"domain": domain, "queries": len(evs), "distinct_names": len(uniq), "long_high_entropy": long, "txt_null": txt, "longest_label": maxLabel, "mean_entropy": entropy}),
		})
	}
	return out
}

func nxdomainStorm(d *Data, c *Config, rc *runCtx) []alert.Alert {
	dn := d.DNS
	s := c.DNS
	hop := s.NXWindow.NS() / 2
	var events []event
	names := newHosts()
	for i := range dn.N {
		if dn.RCode[i] == "NXDOMAIN" && !rc.isExcluded(dn.Orig[i]) {
			events = append(events, event{group: uint64(uint32(dn.Orig[i])), from: dn.TS[i], to: dn.TS[i], weight: 1, row: int32(i), sub: names.ID(dn.Query[i])})
		}
	}
	sortEvents(events)
	var out []alert.Alert
	for _, r := range runs(cells(events, hop), hop, float64(s.NXMin)) {
		evs := overlapping(events, r.group, r.from, r.to)
		uniq := map[int32]bool{}
		domains := map[string]bool{}
		rows := make([]int32, len(evs))
		for i, e := range evs {
			uniq[e.sub] = true
			rows[i] = e.row
			domains[dn.Domain[e.row]] = true
		}
		if int64(len(uniq)) < s.NXMinDomains {
			continue // one name failing over and over is a misconfiguration, not a DGA
		}
		client := int32(r.group)
		ev, total := rc.dnsEvidence(rows)
		out = append(out, alert.Alert{
			TsFirst: evs[0].from, TsLast: evs[len(evs)-1].to,
			Name:       "NXDOMAIN storm from " + rc.host(client),
			Confidence: confidence(r.peak, float64(s.NXMin)),
			Src:        []string{rc.host(client)},
			Count:      int64(r.peak), CountUnit: "NXDOMAIN answers per window", Threshold: ptr(float64(s.NXMin)),
			Evidence: ev, EvidenceTotal: total,
			Description: fmt.Sprintf("%s received %.0f NXDOMAIN answers for %d distinct names within %s, as domain-generation malware does",
				rc.host(client), r.peak, len(uniq), time.Duration(s.NXWindow)),
			Details: details(map[string]any{"distinct_names": len(uniq), "registered_domains": len(domains)}),
		})
	}
	return out
}
