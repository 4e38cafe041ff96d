package http

import (
	"fmt"
	"strings"
	"testing"
)

// keepAlive builds one direction each of a keep-alive connection carrying n
// requests and n responses with bodies of bodyLen bytes.
func keepAlive(n, bodyLen int) (reqs, resps []byte) {
	body := strings.Repeat("x", bodyLen)
	for i := range n {
		reqs = fmt.Appendf(reqs, "GET /item/%d?session=abcdef HTTP/1.1\r\nHost: www.example.com\r\n"+
			"User-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0\r\nAccept: text/html\r\n"+
			"Accept-Language: en-US\r\nAccept-Encoding: gzip, deflate\r\nReferer: http://www.example.com/\r\n"+
			"Cookie: sid=0123456789abcdef\r\nConnection: keep-alive\r\n\r\n", i)
		if i%2 == 0 {
			resps = fmt.Appendf(resps, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n"+
				"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n%s", bodyLen, body)
		} else {
			resps = append(resps, "HTTP/1.1 200 OK\r\nServer: nginx\r\nTransfer-Encoding: chunked\r\n\r\n"...)
			resps = fmt.Appendf(resps, "%x\r\n%s\r\n0\r\n\r\n", bodyLen, body)
		}
	}
	return reqs, resps
}

func BenchmarkKeepAlive(b *testing.B) {
	const n = 100
	reqs, resps := keepAlive(n, 4096)
	const seg = 1448
	txns := 0
	b.SetBytes(int64(len(reqs) + len(resps)))
	b.ReportAllocs()
	for b.Loop() {
		c := NewConn(Config{}, func(*Transaction) { txns++ })
		// Interleave the directions segment by segment as a capture would.
		for i, j := 0, 0; i < len(reqs) || j < len(resps); i, j = i+seg, j+seg {
			if i < len(reqs) {
				c.Data(true, reqs[i:min(i+seg, len(reqs))], 1)
			}
			if j < len(resps) {
				c.Data(false, resps[j:min(j+seg, len(resps))], 2)
			}
		}
		c.Close(3)
	}
	if txns != n*b.N {
		b.Fatalf("got %d transactions, want %d", txns, n*b.N)
	}
	b.ReportMetric(float64(txns)/b.Elapsed().Seconds(), "txns/s")
}

// BenchmarkBodySkip measures a response body alone: it must not allocate.
func BenchmarkBodySkip(b *testing.B) {
	c := NewConn(Config{}, func(*Transaction) {})
	c.Data(true, []byte("GET / HTTP/1.1\r\n\r\n"), 1)
	c.Data(false, []byte("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n"), 1)
	seg := make([]byte, 1448)
	b.SetBytes(int64(len(seg)))
	b.ReportAllocs()
	for b.Loop() {
		c.Data(false, seg, 2)
	}
}

func TestBodySkipDoesNotAllocate(t *testing.T) {
	c := NewConn(Config{}, func(*Transaction) {})
	c.Data(true, []byte("GET / HTTP/1.1\r\n\r\n"), 1)
	c.Data(false, []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), 1)
	chunk := []byte("400\r\n" + strings.Repeat("y", 1024) + "\r\n")
	if n := testing.AllocsPerRun(100, func() { c.Data(false, chunk, 2) }); n != 0 {
		t.Errorf("chunked body skipping allocates %v times per chunk, want 0", n)
	}
}
