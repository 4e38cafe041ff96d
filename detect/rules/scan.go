package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"flowsift/detect/alert"
)

// probe reports whether a TCP flow was a connection attempt that carried no
// data: a SYN that went unanswered (S0), was refused (REJ), was abandoned
// (RSTOS0), or a connect scan that completed the handshake and ended at once.
func probe(fl *Flows, i int) bool {
	return fl.Proto[i] == 6 && fl.OrigSYN[i] > 0 && fl.OrigPayload[i] == 0 && fl.RespPayload[i] == 0
}

// stealth reports whether a TCP flow is a FIN, NULL or Xmas probe: no SYN,
// no ACK, no payload. Ordinary stacks never send such packets; scanners
// use them to slip past stateless filters.
func stealth(fl *Flows, i int) bool {
	return fl.Proto[i] == 6 && fl.OrigSYN[i] == 0 && fl.OrigACK[i] == 0 && fl.OrigRST[i] == 0 &&
		fl.OrigPkts[i] > 0 && fl.OrigPayload[i] == 0 && fl.RespPayload[i] == 0
}

func portScan(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	s := c.PortScan
	hop := s.Window.NS() / 2
	var vertical, horizontal, udp, hidden, pings []distinctCell
	var vEvents, hEvents, uEvents []event
	for i := range fl.N {
		if rc.isExcluded(fl.Orig[i]) {
			continue
		}
		b := floorDiv(fl.TS[i], hop)
		switch {
		case stealth(fl, i):
			vg := pack(fl.Orig[i], fl.Resp[i])
			hidden = append(hidden, distinctCell{vg, b, int64(fl.RespP[i])})
			vertical = append(vertical, distinctCell{vg, b, int64(fl.RespP[i])})
			vEvents = append(vEvents, event{group: vg, from: fl.TS[i], to: fl.TSEnd[i], row: int32(i), sub: fl.RespP[i]})
		case probe(fl, i):
			vg := pack(fl.Orig[i], fl.Resp[i])
			hg := pack(fl.Orig[i], fl.RespP[i])
			vertical = append(vertical, distinctCell{vg, b, int64(fl.RespP[i])})
			horizontal = append(horizontal, distinctCell{hg, b, int64(fl.Resp[i])})
			vEvents = append(vEvents, event{group: vg, from: fl.TS[i], to: fl.TSEnd[i], row: int32(i), sub: fl.RespP[i]})
			hEvents = append(hEvents, event{group: hg, from: fl.TS[i], to: fl.TSEnd[i], row: int32(i), sub: fl.Resp[i]})
		case echoRequest(fl, i):
			// Host discovery (nmap -sn, fping): echo requests to many
			// addresses, answered or not.
			pg := pack(fl.Orig[i], echoPort)
			pings = append(pings, distinctCell{pg, b, int64(fl.Resp[i])})
			hEvents = append(hEvents, event{group: pg, from: fl.TS[i], to: fl.TSEnd[i], row: int32(i), sub: fl.Resp[i]})
		case fl.Proto[i] == 17 && fl.RespPkts[i] == 0 && fl.OrigPayload[i] <= 512:
			ug := pack(fl.Orig[i], fl.Resp[i])
			udp = append(udp, distinctCell{ug, b, int64(fl.RespP[i])})
			uEvents = append(uEvents, event{group: ug, from: fl.TS[i], to: fl.TSEnd[i], row: int32(i), sub: fl.RespP[i]})
		}
	}
	sortEvents(vEvents)
	sortEvents(hEvents)
	sortEvents(uEvents)
	unreach := rc.unreachables()
	var out []alert.Alert
	// A vertical scan is reported when it reaches the port threshold or
	// uses enough stealth probes; both findings merge into one alert.
	vruns := distinctRuns(vertical, hop, int(s.MinPorts))
	for _, r := range distinctRuns(hidden, hop, int(s.MinStealth)) {
		r.peak = 0 // recomputed below from all probes
		vruns = append(vruns, r)
	}
	vruns = mergeRuns(vruns)
	for i := range vruns {
		vruns[i].peak = distinctIn(vertical, vruns[i], hop)
	}
	for _, r := range vruns {
		scanner, target := unpack(r.group)
		evs := overlapping(vEvents, r.group, r.from, r.to)
		// Below the port threshold, the stealth probes raised it.
		threshold := float64(s.MinPorts)
		if r.peak < threshold {
			threshold = float64(s.MinStealth)
		}
		out = append(out, rc.scanAlert("vertical", "TCP port scan of %s by %s", []int32{target}, scanner, -1, r, evs, threshold, "distinct ports", unreach))
	}
	// Host discovery often mixes ICMP echo with SYNs to a few ports
	// (nmap -sn sends both): one sweep, one alert.
	hruns := append(distinctRuns(horizontal, hop, int(s.MinHosts)), distinctRuns(pings, hop, int(s.MinHosts))...)
	for _, sw := range sweeps(hruns, hEvents) {
		targets := make([]int32, 0, len(sw.evs))
		for _, e := range sw.evs {
			targets = append(targets, e.sub)
		}
		port, kind := int32(-1), "horizontal"
		switch {
		case len(sw.ports) == 1 && sw.ports[0] == echoPort:
			kind = "ping-sweep"
		case len(sw.ports) == 1:
			port = sw.ports[0]
		}
		out = append(out, rc.scanAlert(kind, sweepName(sw.ports)+" across %s by %s", targets, sw.scanner, port, sw.run, sw.evs, float64(s.MinHosts), "distinct hosts", unreach))
	}
	for _, r := range distinctRuns(udp, hop, int(s.MinUDPPorts)) {
		scanner, target := unpack(r.group)
		evs := overlapping(uEvents, r.group, r.from, r.to)
		out = append(out, rc.scanAlert("udp", "UDP port scan of %s by %s", []int32{target}, scanner, -1, r, evs, float64(s.MinUDPPorts), "distinct UDP ports", unreach))
	}
	return out
}

// echoPort stands for ICMP echo among a sweep's ports (no TCP port is
// negative).
const echoPort = -1

// echoRequest reports whether a flow is an ICMP or ICMPv6 echo request
// (the flow of its replies too).
func echoRequest(fl *Flows, i int) bool {
	return fl.Proto[i] == 1 && fl.ICMPType[i] == 8 || fl.Proto[i] == 58 && fl.ICMPType[i] == 128
}

// sweep is one scanner's horizontal scan of one or more ports.
type sweep struct {
	scanner int32
	run             // span and the highest per-port window count
	ports   []int32 // ascending
	evs     []event // probes of every port, in time order
}

// sweeps merges the per-(scanner, port) runs of a scanner that overlap in
// time: nmap and masscan sweep several ports of a range at once, and that
// is one finding, not an alert per port.
func sweeps(runs []run, events []event) []sweep {
	slices.SortFunc(runs, func(a, b run) int {
		sa, _ := unpack(a.group)
		sb, _ := unpack(b.group)
		return cmp.Or(cmp.Compare(sa, sb), cmp.Compare(a.from, b.from), cmp.Compare(a.group, b.group))
	})
	var out []sweep
	for _, r := range runs {
		scanner, port := unpack(r.group)
		evs := overlapping(events, r.group, r.from, r.to)
		if n := len(out); n > 0 && out[n-1].scanner == scanner && r.from <= out[n-1].to {
			w := &out[n-1]
			w.to, w.peak = max(w.to, r.to), max(w.peak, r.peak)
			if !slices.Contains(w.ports, port) {
				w.ports = append(w.ports, port)
			}
			w.evs = append(w.evs, evs...)
			continue
		}
		out = append(out, sweep{scanner: scanner, run: r, ports: []int32{port}, evs: evs})
	}
	for i := range out {
		slices.Sort(out[i].ports)
		slices.SortFunc(out[i].evs, func(a, b event) int {
			return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.row, b.row))
		})
	}
	return out
}

// sweepName names a sweep by what it probed: "TCP sweep of port 445",
// "TCP sweep of ports 22, 445 and 3389", "TCP sweep of ports 21, 22, 23,
// 25, 80 and 95 more", "ICMP echo sweep", "Sweep of ICMP echo and port
// 443".
func sweepName(ports []int32) string {
	echo := len(ports) > 0 && ports[0] == echoPort
	if echo {
		ports = ports[1:]
	}
	if len(ports) == 0 {
		return "ICMP echo sweep"
	}
	var list string
	if len(ports) == 1 {
		list = fmt.Sprintf("port %d", ports[0])
	} else {
		const shown = 5
		names := make([]string, 0, shown)
		for _, p := range ports[:min(len(ports), shown)] {
			names = append(names, fmt.Sprint(p))
		}
		if len(ports) > shown {
			list = fmt.Sprintf("ports %s and %d more", strings.Join(names, ", "), len(ports)-shown)
		} else {
			list = fmt.Sprintf("ports %s and %s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
		}
	}
	if echo {
		return "Sweep of ICMP echo and " + list
	}
	return "TCP sweep of " + list
}

// unreachables counts ICMP destination-unreachable flows per (sender,
// receiver): the answers of closed UDP ports and filtering routers.
func (rc *runCtx) unreachables() map[uint64]int64 {
	fl := &rc.data.Flows
	m := map[uint64]int64{}
	for i := range fl.N {
		if fl.Proto[i] == 1 && fl.ICMPType[i] == 3 || fl.Proto[i] == 58 && fl.ICMPType[i] == 1 {
			m[pack(fl.Orig[i], fl.Resp[i])] += fl.OrigPkts[i]
		}
	}
	return m
}

func (rc *runCtx) scanAlert(kind, nameFmt string, targets []int32, scanner, port int32, r run, evs []event, threshold float64, unit string, unreach map[uint64]int64) alert.Alert {
	fl := &rc.data.Flows
	rows := make([]int32, len(evs))
	var open, closed, filtered, connect, stealthy int
	ports := map[int32]bool{}
	first, last := r.from, r.to
	if len(evs) > 0 {
		first, last = evs[0].from, evs[0].to
	}
	for i, e := range evs {
		rows[i] = e.row
		first, last = min(first, e.from), max(last, e.to)
		if fl.Proto[e.row] == 6 || fl.Proto[e.row] == 17 {
			ports[fl.RespP[e.row]] = true // an ICMP flow's "port" is its code
		}
		h := fl.History[e.row]
		switch {
		case fl.Proto[e.row] != 6 && fl.RespPkts[e.row] > 0:
			open++ // a live host's echo reply
		case stealth(fl, int(e.row)):
			stealthy++
			if fl.RespRST[e.row] > 0 {
				closed++
			} else {
				filtered++
			}
		case strings.Contains(h, "A") && strings.Contains(h, "h"):
			connect++
			open++
		case strings.Contains(h, "h"):
			open++
		case fl.State[e.row] == "REJ":
			closed++
		default:
			filtered++
		}
	}
	hosts := map[int32]float64{}
	for _, t := range targets {
		hosts[t]++
	}
	var unreachables int64
	for t := range hosts {
		unreachables += unreach[pack(t, scanner)]
	}
	dst := rc.ranked(hosts, 20)
	target := strings.Join(dst, ", ")
	if len(hosts) > 3 {
		target = fmt.Sprintf("%d hosts", len(hosts))
	}
	ev, total := rc.flowEvidence(rows)
	a := alert.Alert{
		TsFirst: first, TsLast: last,
		Name:       fmt.Sprintf(nameFmt, target, rc.host(scanner)),
		Confidence: confidence(r.peak, threshold),
		Src:        []string{rc.host(scanner)}, Dst: dst,
		Count: int64(r.peak), CountUnit: unit + " per window", Threshold: ptr(threshold),
		Evidence: ev, EvidenceTotal: total,
	}
	if port >= 0 {
		a.DstPort = ptr(port)
	}
	portList := make([]int32, 0, len(ports))
	for p := range ports {
		portList = append(portList, p)
	}
	slices.Sort(portList)
	if len(portList) > 50 {
		portList = portList[:50]
	}
	span := time.Duration(r.to - r.from).Round(time.Second)
	if kind == "ping-sweep" {
		a.Description = fmt.Sprintf("%s sent ICMP echo requests to %.0f %s within %s (threshold %.0f): %d answered, %d unanswered; %d ICMP unreachable answers",
			rc.host(scanner), r.peak, unit, span, threshold, open, filtered, unreachables)
	} else {
		a.Description = fmt.Sprintf("%s probed %.0f %s within %s (threshold %.0f): %d answered (open), %d refused with RST, %d unanswered; %d ICMP unreachable answers",
			rc.host(scanner), r.peak, unit, span, threshold, open, closed, filtered, unreachables)
	}
	a.Details = details(map[string]any{
		"kind": kind, "open": open, "refused": closed, "unanswered": filtered, "connect_scans": connect, "stealth_probes": stealthy,
		"icmp_unreachable": unreachables, "ports": portList, "targets": len(hosts),
	})
	return a
}

// distinctIn counts the distinct values of r's group within r's span.
func distinctIn(cs []distinctCell, r run, hop int64) float64 {
	seen := map[int64]bool{}
	for _, c := range cs {
		if c.group == r.group && c.bucket*hop >= r.from && c.bucket*hop < r.to {
			seen[c.value] = true
		}
	}
	return float64(len(seen))
}
