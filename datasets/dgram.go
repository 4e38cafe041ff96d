package datasets

import "slices"

// dgram is one planned UDP or ICMP packet of a datagram flow.
type dgram struct {
	at   int64
	side uint8
	typ  uint8 // ICMP type
	code uint8
	rest uint32 // ICMP rest-of-header
	data []byte
	bulk int // noise bytes after data
	salt uint64
}

// dgramFlow replays a planned list of datagrams; UDP exchanges, pings and
// ICMP errors are short enough to plan whole.
type dgramFlow struct {
	f *flow
	p []dgram
	i int
}

// startDgrams schedules the datagrams of f; p need not be sorted.
func (g *gen) startDgrams(f *flow, p []dgram) {
	slices.SortStableFunc(p, func(a, b dgram) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	if len(p) == 0 {
		g.closeFlow(f)
		return
	}
	g.spawn(&dgramFlow{f: f, p: p}, p[0].at)
}

func (d *dgramFlow) step(g *gen) (int64, bool) {
	p := &d.p[d.i]
	n := len(p.data) + p.bulk
	var pl []byte
	if d.f.proto == protoUDP {
		pl = g.udpOut(d.f, int(p.side), n)
	} else {
		pl = g.icmpOut(d.f, int(p.side), p.typ, p.code, p.rest, n)
	}
	k := copy(pl, p.data)
	noiseFill(pl[k:], p.salt)
	g.commit()
	d.i++
	if d.i == len(d.p) || d.p[d.i].at > g.end {
		g.closeFlow(d.f)
		return 0, false
	}
	return d.p[d.i].at, true
}
