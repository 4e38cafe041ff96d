package flow

import (
	"runtime"
	"testing"
	"time"

	"flowsift/extract/decode"
)

// Every benchmark here counts one packet as one op (one flow for
// BenchmarkTableChurn), so -benchtime=1x, as the CI smoke run uses, costs
// only the setup. For stable numbers run, for example:
//
//	go test ./extract/flow -run '^$' -bench . -benchtime 5s -count 5
//	go test ./extract/flow -run '^$' -bench SYNFlood -benchtime 5000000x

// heapInUse returns the heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// reportHeap reports the heap in use (MB) and, when flows > 0, the heap
// it grew by since base per flow held. (Call it after the b.Loop loop:
// b.Loop resets the timer, which drops metrics reported before.)
func reportHeap(b *testing.B, base, inuse uint64, flows int) {
	b.Helper()
	b.ReportMetric(float64(inuse)/1e6, "heap-MB")
	if flows > 0 && inuse > base {
		b.ReportMetric(float64(inuse-base)/float64(flows), "B/flow")
	}
}

// BenchmarkTableEstablished feeds data packets (client data, and every
// second round the server's ACKs) round robin over 10,000 established
// TCP connections, 1 µs of capture time apart.
func BenchmarkTableEstablished(b *testing.B) {
	const conns = 10_000
	base := heapInUse()
	var emitted int64
	tab := newCountingTable(b, DefaultConfig(), &emitted)
	c := newTCPConns(tab, conns, time.Microsecond)
	inuse := heapInUse()
	var ipBytes int64
	b.ReportAllocs()
	for b.Loop() {
		ipBytes += int64(c.next(tab))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
	b.ReportMetric(float64(ipBytes)/1e6/b.Elapsed().Seconds(), "IP-MB/s")
	if tab.Live() != conns || emitted != 0 {
		b.Fatalf("%d flows held and %d emitted, want %d and 0", tab.Live(), emitted, conns)
	}
	reportHeap(b, base, inuse, tab.Live())
	runtime.KeepAlive(tab)
}

// BenchmarkTableSYNFlood sends a SYN flood from random source addresses
// and ports to one server, 1 µs of capture time apart, into a table with
// the default MaxFlows (500,000). Unanswered SYNs expire only 5 s after
// they were sent, so after 500,000 packets the table is full and every
// packet evicts a flow. It reports the flows held at the peak and the
// heap the table holds after the run (heap-MB, B/flow): memory stays
// bounded by MaxFlows whatever the number of packets. For the 5-million-
// packet flood: -benchtime=5000000x.
func BenchmarkTableSYNFlood(b *testing.B) {
	cfg := DefaultConfig()
	base := heapInUse()
	var emitted int64
	tab := newCountingTable(b, cfg, &emitted)
	var g pktGen
	dst := hostAddr(1<<16 + 1)
	var src decode.Addr
	x, ts := uint64(0x9e3779b97f4a7c15), genBase
	b.ReportAllocs()
	for b.Loop() {
		x ^= x << 13 // xorshift64
		x ^= x >> 7
		x ^= x << 17
		src[0], src[1], src[2], src[3] = byte(x>>56), byte(x>>48), byte(x>>40), byte(x>>32)
		g.tcp(&src, &dst, uint16(x>>16)|1024, 80, decode.SYN, uint32(x), 0, 0)
		ts += int64(time.Microsecond)
		g.add(tab, ts)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
	st := tab.Stats()
	if st.Peak > int64(cfg.MaxFlows) || tab.Live() > cfg.MaxFlows {
		b.Fatalf("peak %d, held %d flows: more than MaxFlows %d", st.Peak, tab.Live(), cfg.MaxFlows)
	}
	b.ReportMetric(float64(st.Peak), "peak-flows")
	b.ReportMetric(float64(st.Evicted), "evicted")
	reportHeap(b, base, heapInUse(), tab.Live())
	runtime.KeepAlive(tab)
}

// BenchmarkTableChurn creates short UDP flows, a request and a response
// each from a new client address and port, one flow per millisecond of
// capture time; with Zeek's 1 min UDP idle timeout, flows expire as fast
// as they are created once about 60,000 are held. One op is one flow (two
// packets, and its expiry).
func BenchmarkTableChurn(b *testing.B) {
	cfg := DefaultConfig()
	cfg.UDPIdleTimeout = time.Minute
	var emitted int64
	tab := newCountingTable(b, cfg, &emitted)
	var g pktGen
	srv := hostAddr(1<<16 + 53)
	i, ts := uint32(0), genBase
	b.ReportAllocs()
	for b.Loop() {
		cl := hostAddr(2<<16 + i%(1<<20))
		port := uint16(1024 + i%60000)
		i++
		ts += int64(time.Millisecond)
		g.udp(&cl, &srv, port, 53, 40)
		g.add(tab, ts)
		g.udp(&srv, &cl, 53, port, 120)
		g.add(tab, ts+int64(200*time.Microsecond))
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/sec, "flows/s")
	b.ReportMetric(2*float64(b.N)/sec, "pkts/s")
	b.ReportMetric(float64(tab.Stats().Peak), "peak-flows")
	if st := tab.Stats(); st.Evicted != 0 {
		b.Fatalf("%d flows evicted: the churn should expire them", st.Evicted)
	}
}
