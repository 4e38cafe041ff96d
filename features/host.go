package features

import (
	"cmp"
	"slices"
)

// hostAgg accumulates one host's activity in one window.
type hostAgg struct {
	flows, failed, tcp   float32
	pkts, bytes          float32
	dnsRecords, dnsNX    float32
	distinctA, distinctB float32 // distinct peers, distinct peer ports
}

// failedStates are the TCP outcomes of a connection attempt that never
// carried data.
func failed(state string) bool {
	switch state {
	case "S0", "REJ", "RSTOS0", "RSTRH", "SH", "SHR":
		return true
	}
	return false
}

// hostFeatures adds the aggregates of each flow's originator and
// responder over the window the flow started in.
func (b *builder) hostFeatures() {
	names := []string{
		"src_flows", "src_distinct_dst", "src_distinct_dport", "src_failed_frac", "src_pkts", "src_bytes", "src_dns_records", "src_dns_nx",
		"dst_flows_in", "dst_distinct_src", "dst_failed_frac_in", "dst_pkts_in",
	}
	if b.dryRun {
		b.names = append(b.names, names...)
		return
	}
	t := b.t
	w := int64(b.cfg.HostWindowSeconds) * 1e9
	ts := t.Column("ts").Ints
	ids := map[string]uint32{}
	intern := func(s string) uint32 {
		id, ok := ids[s]
		if !ok {
			id = uint32(len(ids))
			ids[s] = id
		}
		return id
	}
	orig, resp := make([]uint32, b.n), make([]uint32, b.n)
	oh, rh := t.Column("orig_h").Strs, t.Column("resp_h").Strs
	for i := range b.n {
		orig[i], resp[i] = intern(oh[i]), intern(rh[i])
	}
	var minB int64
	if b.n > 0 {
		minB = slices.Min(ts) / w
	}
	key := func(h uint32, i int) uint64 { return uint64(h)<<32 | uint64(uint32(ts[i]/w-minB)) }
	src, dst := map[uint64]*hostAgg{}, map[uint64]*hostAgg{}
	get := func(m map[uint64]*hostAgg, k uint64) *hostAgg {
		a := m[k]
		if a == nil {
			a = &hostAgg{}
			m[k] = a
		}
		return a
	}
	state := t.Column("conn_state")
	proto := t.Column("ip_proto").Ints
	op, rp := t.Column("orig_pkts").Ints, t.Column("resp_pkts").Ints
	ob := t.Column("orig_ip_bytes").Ints
	rport := t.Column("resp_p").Ints
	type pair struct {
		k uint64
		v uint64
	}
	var dstPeers, dstPorts, srcPeers []pair
	for i := range b.n {
		ks, kd := key(orig[i], i), key(resp[i], i)
		s, d := get(src, ks), get(dst, kd)
		s.flows++
		d.flows++
		if proto[i] == 6 {
			s.tcp++
			d.tcp++
			if !state.IsNull(i) && failed(state.Strs[i]) {
				s.failed++
				d.failed++
			}
		}
		s.pkts += float32(op[i])
		s.bytes += float32(ob[i])
		d.pkts += float32(op[i] + rp[i])
		if b.dns != nil {
			s.dnsRecords += b.dns.n[i]
			if c := b.dns.vals["nxdomain"]; c != nil {
				s.dnsNX += c[i]
			}
		}
		dstPeers = append(dstPeers, pair{ks, uint64(resp[i])})
		dstPorts = append(dstPorts, pair{ks, uint64(rport[i])})
		srcPeers = append(srcPeers, pair{kd, uint64(orig[i])})
	}
	distinct := func(ps []pair, set func(a *hostAgg, n float32), m map[uint64]*hostAgg) {
		slices.SortFunc(ps, func(a, b pair) int { return cmp.Or(cmp.Compare(a.k, b.k), cmp.Compare(a.v, b.v)) })
		ps = slices.Compact(ps)
		for i := 0; i < len(ps); {
			j := i
			for j < len(ps) && ps[j].k == ps[i].k {
				j++
			}
			set(m[ps[i].k], float32(j-i))
			i = j
		}
	}
	distinct(dstPeers, func(a *hostAgg, n float32) { a.distinctA = n }, src)
	distinct(dstPorts, func(a *hostAgg, n float32) { a.distinctB = n }, src)
	distinct(srcPeers, func(a *hostAgg, n float32) { a.distinctA = n }, dst)
	frac := func(a, b float32) float32 {
		if b == 0 {
			return nan
		}
		return a / b
	}
	at := func(m map[uint64]*hostAgg, h []uint32, i int) *hostAgg { return m[key(h[i], i)] }
	b.add("src_flows", func(i int) float32 { return at(src, orig, i).flows })
	b.add("src_distinct_dst", func(i int) float32 { return at(src, orig, i).distinctA })
	b.add("src_distinct_dport", func(i int) float32 { return at(src, orig, i).distinctB })
	b.add("src_failed_frac", func(i int) float32 { a := at(src, orig, i); return frac(a.failed, a.tcp) })
	b.add("src_pkts", func(i int) float32 { return at(src, orig, i).pkts })
	b.add("src_bytes", func(i int) float32 { return at(src, orig, i).bytes })
	b.add("src_dns_records", func(i int) float32 { return at(src, orig, i).dnsRecords })
	b.add("src_dns_nx", func(i int) float32 { return at(src, orig, i).dnsNX })
	b.add("dst_flows_in", func(i int) float32 { return at(dst, resp, i).flows })
	b.add("dst_distinct_src", func(i int) float32 { return at(dst, resp, i).distinctA })
	b.add("dst_failed_frac_in", func(i int) float32 { a := at(dst, resp, i); return frac(a.failed, a.tcp) })
	b.add("dst_pkts_in", func(i int) float32 { return at(dst, resp, i).pkts })
}
