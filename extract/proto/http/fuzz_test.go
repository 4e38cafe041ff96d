package http

import (
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"flowsift/extract/proto/internal/pcaptest"
)

// encode turns events into the fuzz input format: per event a byte whose
// bit 0 is the direction (1: to server) and bit 1 marks a gap, then a length
// byte, then (for data) that many bytes. Longer data is split.
func encode(evs []ev) []byte {
	var b []byte
	for _, e := range evs {
		dir := byte(0)
		if e.toServer {
			dir = 1
		}
		if e.gap > 0 {
			for g := e.gap; g > 0; g -= 255 {
				b = append(b, dir|2, byte(min(g, 255)))
			}
			continue
		}
		for d := e.data; len(d) > 0; {
			n := min(len(d), 255)
			b = append(b, dir, byte(n))
			b = append(b, d[:n]...)
			d = d[n:]
		}
	}
	return b
}

func decodeEvents(in []byte) []ev {
	var evs []ev
	for ts := int64(1); len(in) >= 2; ts++ {
		op, n := in[0], int(in[1])
		in = in[2:]
		e := ev{toServer: op&1 == 1, ts: ts}
		if op&2 != 0 {
			e.gap = n
		} else {
			n = min(n, len(in))
			e.data = string(in[:n])
			in = in[n:]
		}
		evs = append(evs, e)
	}
	return evs
}

func seedStreams() [][]byte {
	return [][]byte{
		encode([]ev{
			req("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\n\r\n", 0),
			resp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", 0),
		}),
		encode([]ev{
			req("POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n", 0),
			resp("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil close", 0),
		}),
		encode([]ev{
			req("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n", 0), {toServer: true, gap: 10},
			req("\r\nGET /c HTTP/1.1\r\n\r\n", 0),
			resp("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", 0), {gap: 60},
			resp("HTTP/1.1 304 Not Modified\r\n\r\n", 0),
		}),
		encode([]ev{req("CONNECT h:443 HTTP/1.1\r\n\r\n", 0), resp("HTTP/1.1 200 OK\r\n\r\n\x16\x03", 0)}),
		encode([]ev{req("\x16\x03\x01\x00", 0)}),
	}
}

func FuzzHTTP(f *testing.F) {
	for _, s := range seedStreams() {
		f.Add(s)
	}
	if dir, ok := pcaptest.Find("ndpi"); ok {
		for _, s := range corpusStreams(f, dir, 2) {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		evs := decodeEvents(in)
		cfg := Config{MaxHeaderBytes: 512, MaxPending: 4}
		whole, c := feed(cfg, evs, 0, nil)
		for _, tx := range whole {
			checkTx(t, tx)
		}
		for i := range c.half {
			if cap(c.half[i].buf) > 4*maxLine+cfg.MaxHeaderBytes {
				t.Fatalf("buffer grew to %d bytes", cap(c.half[i].buf))
			}
		}
		bytewise, _ := feed(cfg, evs, 1, nil)
		if diff := cmp.Diff(bytewise, whole, ignore); diff != "" {
			t.Fatalf("byte-by-byte feeding differs (-bytewise, +whole):\n%s", diff)
		}
	})
}

func checkTx(t *testing.T, tx *Transaction) {
	t.Helper()
	for _, s := range []*string{tx.Method, tx.URI, tx.Version, tx.Host, tx.UserAgent, tx.Referrer, tx.Origin,
		tx.Cookie, tx.Username, tx.RequestContentType, tx.RequestHead, tx.StatusMsg, tx.InfoMsg, tx.Location,
		tx.Server, tx.ResponseContentType} {
		if s != nil && !utf8.ValidString(*s) {
			t.Fatalf("field %q is not valid UTF-8", *s)
		}
	}
	for _, n := range append(tx.ClientHeaderNames, tx.ServerHeaderNames...) {
		if !utf8.ValidString(n) {
			t.Fatalf("header name %q is not valid UTF-8", n)
		}
	}
	for _, n := range []*int64{tx.RequestBodyLen, tx.ResponseBodyLen} {
		if n != nil && *n < 0 {
			t.Fatalf("negative body length %d", *n)
		}
	}
	if tx.RequestHead != nil && len(*tx.RequestHead) > 4*MaxRequestHead {
		t.Fatalf("request head of %d bytes", len(*tx.RequestHead))
	}
	if tx.StatusCode != nil && (*tx.StatusCode < 0 || *tx.StatusCode > 999) {
		t.Fatalf("status code %d", *tx.StatusCode)
	}
}

// corpusStreams encodes the first bytes of the HTTP connections of a few
// corpus captures as fuzz seeds.
func corpusStreams(tb testing.TB, dir string, perFile int) [][]byte {
	var out [][]byte
	for _, f := range []string{"http-crash-content-disposition.pcap", "WebattackSQLinj.pcap", "http_ipv6.pcap", "http-manipulated.pcap", "http_auth.pcap", "http_connect.pcap", "http-lines-split.pcap"} {
		n := 0
		for _, c := range pcaptest.Conns(tb, filepath.Join(dir, f), 4096) {
			if c.Server.Port() != 80 || n >= perFile {
				continue
			}
			out = append(out, encode([]ev{req(string(c.ToServer), 0), resp(string(c.ToClient), 0)}))
			n++
		}
	}
	return out
}
