package dns

import "testing"

func BenchmarkParse(b *testing.B) {
	q := ptr(12)
	msg := response(1, 0, "www.example.com", 1,
		record(q, 5, 1, 300, cat([]byte{3, 'c', 'd', 'n'}, ptr(16))),
		record(ptr(33), 1, 1, 60, []byte{192, 0, 2, 7}),
		record(ptr(33), 1, 1, 60, []byte{192, 0, 2, 8}),
		record(ptr(33), 28, 1, 60, make([]byte, 16)))
	var m Message
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Parse(msg, &m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkPairer(b *testing.B) {
	qm, rm := query(7, "www.example.com", 1), response(7, 0, "www.example.com", 1, record(ptr(12), 1, 1, 60, []byte{192, 0, 2, 1}))
	var q, r Message
	if Parse(qm, &q) != nil || Parse(rm, &r) != nil {
		b.Fatal("seed messages do not parse")
	}
	n := 0
	p := NewPairer(Config{}, func(*Transaction) { n++ })
	b.ReportAllocs()
	for b.Loop() {
		p.Query(&q, 1)
		p.Response(&r, 2)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "txns/s")
}

func BenchmarkSplitter(b *testing.B) {
	msg := query(1, "www.example.com", 1)
	stream := frame(msg, msg, msg, msg, msg, msg, msg, msg)
	var s Splitter
	n := 0
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < len(stream); i += 10 {
			s.Write(stream[i:min(i+10, len(stream))], func([]byte) { n++ })
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
