package http

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func sp(s string) *string { return &s }
func ip(i int) *int       { return &i }
func i64(i int64) *int64  { return &i }

// ev is one call on a Conn: data for a direction, or a gap when gap > 0.
type ev struct {
	toServer bool
	data     string
	gap      int
	ts       int64
}

func req(s string, ts int64) ev  { return ev{toServer: true, data: s, ts: ts} }
func resp(s string, ts int64) ev { return ev{data: s, ts: ts} }

// feed runs events through a new Conn, cutting every data event into
// pieces of at most chunk bytes (0: whole).
func feed(cfg Config, evs []ev, chunk int, rng *rand.Rand) ([]*Transaction, *Conn) {
	var out []*Transaction
	c := NewConn(cfg, func(tx *Transaction) { out = append(out, tx) })
	var last int64
	for _, e := range evs {
		last = max(last, e.ts)
		if e.gap > 0 {
			c.Gap(e.toServer, e.gap)
			continue
		}
		b := []byte(e.data)
		for len(b) > 0 {
			n := len(b)
			switch {
			case rng != nil:
				n = min(len(b), 1+rng.IntN(7))
			case chunk > 0:
				n = min(len(b), chunk)
			}
			c.Data(e.toServer, b[:n], e.ts)
			b = b[n:]
		}
	}
	c.Close(last + 1)
	return out, c
}

var ignore = cmpopts.IgnoreUnexported(Transaction{})

func TestConn(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		evs     []ev
		want    []*Transaction
		problem map[string]uint64
	}{
		{
			name: "keep-alive with bodies",
			evs: []ev{
				req("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\nCookie: a=b\r\n\r\n", 10),
				resp("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello", 20),
				req("POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\nReferer: http://example.com/\r\nOrigin: http://example.com\r\n\r\na=1&b=2", 30),
				resp("HTTP/1.1 302 Found\r\nLocation: /done\r\nContent-Length: 0\r\n\r\n", 40),
			},
			want: []*Transaction{
				{TS: 10, TransDepth: 1, RequestTS: i64(10), Method: sp("GET"), URI: sp("/index.html?q=1"), Version: sp("1.1"),
					Host: sp("example.com:8080"), UserAgent: sp("curl/8.0"), Cookie: sp("a=b"), RequestBodyLen: i64(0),
					RequestHead:       sp("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\nCookie: a=b\r\n"),
					ClientHeaderNames: []string{"HOST", "USER-AGENT", "ACCEPT", "COOKIE"},
					ResponseTS:        i64(20), StatusCode: ip(200), StatusMsg: sp("OK"), Server: sp("nginx"),
					ResponseContentType: sp("text/html"), ResponseBodyLen: i64(5),
					ServerHeaderNames: []string{"SERVER", "CONTENT-TYPE", "CONTENT-LENGTH"}},
				{TS: 30, TransDepth: 2, RequestTS: i64(30), Method: sp("POST"), URI: sp("/form"), Version: sp("1.1"),
					Host: sp("example.com"), Referrer: sp("http://example.com/"), Origin: sp("http://example.com"),
					RequestContentType: sp("application/x-www-form-urlencoded"), RequestBodyLen: i64(7),
					RequestHead:       sp("POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\nReferer: http://example.com/\r\nOrigin: http://example.com\r\n"),
					ClientHeaderNames: []string{"HOST", "CONTENT-TYPE", "CONTENT-LENGTH", "REFERER", "ORIGIN"},
					ResponseTS:        i64(40), StatusCode: ip(302), StatusMsg: sp("Found"), Location: sp("/done"), ResponseBodyLen: i64(0),
					ServerHeaderNames: []string{"LOCATION", "CONTENT-LENGTH"}},
			},
		},
		{
			name: "empty header versus absent header",
			evs: []ev{
				req("GET / HTTP/1.0\r\nUser-Agent:\r\nHost:   \r\n\r\n", 1),
				resp("HTTP/1.0 404\r\n\r\n", 2),
			},
			want: []*Transaction{{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/"), Version: sp("1.0"),
				UserAgent: sp(""), Host: sp(""), RequestBodyLen: i64(0), RequestHead: sp("GET / HTTP/1.0\r\nUser-Agent:\r\nHost:   \r\n"),
				ClientHeaderNames: []string{"USER-AGENT", "HOST"},
				ResponseTS:        i64(2), StatusCode: ip(404), StatusMsg: sp(""), ResponseBodyLen: i64(0), ServerHeaderNames: []string{}}},
		},
		{
			name: "pipelining",
			evs: []ev{
				req("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nHEAD /c HTTP/1.1\r\nHost: h\r\n\r\n", 1),
				resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\naaHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbbbHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 2),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/a"), Version: sp("1.1"), Host: sp("h"),
					RequestBodyLen: i64(0), RequestHead: sp("GET /a HTTP/1.1\r\nHost: h\r\n"), ClientHeaderNames: []string{"HOST"},
					ResponseTS: i64(2), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(2), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
				{TS: 1, TransDepth: 2, RequestTS: i64(1), Method: sp("GET"), URI: sp("/b"), Version: sp("1.1"), Host: sp("h"),
					RequestBodyLen: i64(0), RequestHead: sp("GET /b HTTP/1.1\r\nHost: h\r\n"), ClientHeaderNames: []string{"HOST"},
					ResponseTS: i64(2), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(3), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
				{TS: 1, TransDepth: 3, RequestTS: i64(1), Method: sp("HEAD"), URI: sp("/c"), Version: sp("1.1"), Host: sp("h"),
					RequestBodyLen: i64(0), RequestHead: sp("HEAD /c HTTP/1.1\r\nHost: h\r\n"), ClientHeaderNames: []string{"HOST"},
					ResponseTS: i64(2), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
			},
		},
		{
			name: "chunked with extensions and trailers, then 204 and 304",
			evs: []ev{
				req("GET /c HTTP/1.1\r\n\r\nGET /n HTTP/1.1\r\n\r\nGET /m HTTP/1.1\r\n\r\n", 1),
				resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n", 2),
				resp("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n", 3),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/c"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /c HTTP/1.1\r\n"), ClientHeaderNames: []string{},
					ResponseTS: i64(2), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(15), ServerHeaderNames: []string{"TRANSFER-ENCODING"}},
				{TS: 1, TransDepth: 2, RequestTS: i64(1), Method: sp("GET"), URI: sp("/n"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /n HTTP/1.1\r\n"), ClientHeaderNames: []string{},
					ResponseTS: i64(3), StatusCode: ip(204), StatusMsg: sp("No Content"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
				{TS: 1, TransDepth: 3, RequestTS: i64(1), Method: sp("GET"), URI: sp("/m"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /m HTTP/1.1\r\n"), ClientHeaderNames: []string{},
					ResponseTS: i64(3), StatusCode: ip(304), StatusMsg: sp("Not Modified"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{}},
			},
		},
		{
			name: "body until close",
			evs: []ev{
				req("GET / HTTP/1.0\r\n\r\n", 1),
				resp("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome body", 2),
				resp(" and more", 3),
			},
			want: []*Transaction{{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/"), Version: sp("1.0"),
				RequestBodyLen: i64(0), RequestHead: sp("GET / HTTP/1.0\r\n"), ClientHeaderNames: []string{},
				ResponseTS: i64(2), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseContentType: sp("text/plain"),
				ResponseBodyLen: i64(18), ServerHeaderNames: []string{"CONTENT-TYPE"}}},
		},
		{
			name: "100 continue",
			evs: []ev{
				req("POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", 1),
				resp("HTTP/1.1 100 Continue\r\n\r\n", 2),
				req("data", 3),
				resp("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", 4),
			},
			want: []*Transaction{{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("POST"), URI: sp("/up"), Version: sp("1.1"),
				RequestBodyLen: i64(4), RequestHead: sp("POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n"),
				ClientHeaderNames: []string{"EXPECT", "CONTENT-LENGTH"},
				ResponseTS:        i64(2), InfoCode: ip(100), InfoMsg: sp("Continue"), StatusCode: ip(201), StatusMsg: sp("Created"),
				ResponseBodyLen: i64(2), ServerHeaderNames: []string{"CONTENT-LENGTH"}}},
		},
		{
			name: "connect tunnel stops parsing",
			evs: []ev{
				req("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 1),
				resp("HTTP/1.1 200 Connection established\r\n\r\n", 2),
				req("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 3),
				resp("\x16\x03\x03\x00\x7a", 4),
			},
			want: []*Transaction{{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("CONNECT"), URI: sp("example.com:443"), Version: sp("1.1"),
				Host: sp("example.com:443"), RequestBodyLen: i64(0), RequestHead: sp("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"),
				ClientHeaderNames: []string{"HOST"},
				ResponseTS:        i64(2), StatusCode: ip(200), StatusMsg: sp("Connection established"), ResponseBodyLen: i64(0),
				ServerHeaderNames: []string{}}},
			problem: map[string]uint64{"http_tunnel": 1},
		},
		{
			name: "folded header and bare LF",
			evs: []ev{
				req("GET /f HTTP/1.1\nHost: h\nUser-Agent: Mozilla/5.0\n (X11;\n\t Linux)\nbad line\n\n", 1),
				resp("HTTP/1.1 200 OK\nContent-Length: 1\n\nx", 2),
			},
			want: []*Transaction{{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/f"), Version: sp("1.1"),
				Host: sp("h"), UserAgent: sp("Mozilla/5.0 (X11; Linux)"), RequestBodyLen: i64(0),
				RequestHead:       sp("GET /f HTTP/1.1\nHost: h\nUser-Agent: Mozilla/5.0\n (X11;\n\t Linux)\nbad line\n"),
				ClientHeaderNames: []string{"HOST", "USER-AGENT"},
				ResponseTS:        i64(2), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(1), ServerHeaderNames: []string{"CONTENT-LENGTH"}}},
			problem: map[string]uint64{"http_bad_header_line": 1},
		},
		{
			name:    "not http",
			evs:     []ev{req("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 1), resp("HTTP/1.1 200 OK\r\n\r\n", 2)},
			problem: map[string]uint64{"http_not_http": 1},
		},
		{
			name: "garbage answer to http resynchronises",
			evs: []ev{
				req("GET /x HTTP/1.1\r\n\r\n", 1),
				resp("\x00\x01garbage\r\nHTTP/1.1 204 No Content\r\n\r\n", 2),
			},
			want: []*Transaction{{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/x"), Version: sp("1.1"),
				RequestBodyLen: i64(0), RequestHead: sp("GET /x HTTP/1.1\r\n"), ClientHeaderNames: []string{},
				ResponseTS: i64(2), StatusCode: ip(204), StatusMsg: sp("No Content"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{}}},
			problem: map[string]uint64{"http_bad_status_line": 1},
		},
		{
			name: "resync finds a status line glued to body bytes",
			evs: []ev{
				req("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n", 1),
				resp("HTTP/1.1 200 OK\r\nContent-Len", 2),
				{gap: 40},
				resp("tail of a body without newlineHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 3),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/a"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /a HTTP/1.1\r\n"), ClientHeaderNames: []string{}},
				{TS: 1, TransDepth: 2, RequestTS: i64(1), Method: sp("GET"), URI: sp("/b"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /b HTTP/1.1\r\n"), ClientHeaderNames: []string{},
					ResponseTS: i64(3), StatusCode: ip(404), StatusMsg: sp("Not Found"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
			},
			problem: map[string]uint64{"http_header_gap": 1},
		},
		{
			name:    "ssh is not http",
			evs:     []ev{resp("SSH-2.0-OpenSSH_9.6\r\n", 1), req("SSH-2.0-PuTTY\r\n", 2)},
			problem: map[string]uint64{"http_not_http": 1},
		},
		{
			name: "gap inside a response body",
			evs: []ev{
				req("GET /big HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n", 1),
				resp("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 2),
				{gap: 80},
				resp("0123456789HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 3),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/big"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /big HTTP/1.1\r\n"), ClientHeaderNames: []string{},
					ResponseTS: i64(2), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(100), ResponseGapBytes: 80,
					ServerHeaderNames: []string{"CONTENT-LENGTH"}},
				{TS: 1, TransDepth: 2, RequestTS: i64(1), Method: sp("GET"), URI: sp("/next"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /next HTTP/1.1\r\n"), ClientHeaderNames: []string{},
					ResponseTS: i64(3), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
			},
			problem: map[string]uint64{"http_body_gap": 1},
		},
		{
			name: "gap inside request headers resynchronises",
			evs: []ev{
				req("GET /one HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHos", 1),
				{toServer: true, gap: 50},
				req("t: h\r\n\r\nGET /three HTTP/1.1\r\nHost: h\r\n\r\n", 2),
				resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 3),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/one"), Version: sp("1.1"), Host: sp("h"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /one HTTP/1.1\r\nHost: h\r\n"), ClientHeaderNames: []string{"HOST"},
					ResponseTS: i64(3), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
				{TS: 1, TransDepth: 2, RequestTS: i64(1), Method: sp("GET"), URI: sp("/two"), Version: sp("1.1"),
					ResponseTS: i64(3), StatusCode: ip(404), StatusMsg: sp("Not Found"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
				{TS: 2, TransDepth: 3, RequestTS: i64(2), Method: sp("GET"), URI: sp("/three"), Version: sp("1.1"), Host: sp("h"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /three HTTP/1.1\r\nHost: h\r\n"), ClientHeaderNames: []string{"HOST"},
					ResponseTS: i64(3), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
			},
			problem: map[string]uint64{"http_header_gap": 1},
		},
		{
			name: "gap inside response headers loses that response",
			evs: []ev{
				req("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n", 1),
				resp("HTTP/1.1 200 OK\r\nConte", 2),
				{gap: 30},
				resp("xt\r\n\r\nHTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\nerr", 3),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/a"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /a HTTP/1.1\r\n"), ClientHeaderNames: []string{}},
				{TS: 1, TransDepth: 2, RequestTS: i64(1), Method: sp("GET"), URI: sp("/b"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /b HTTP/1.1\r\n"), ClientHeaderNames: []string{},
					ResponseTS: i64(3), StatusCode: ip(500), StatusMsg: sp("Oops"), ResponseBodyLen: i64(3), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
			},
			problem: map[string]uint64{"http_header_gap": 1},
		},
		{
			name: "unanswered request and unrequested response",
			evs: []ev{
				resp("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n", 1),
				req("GET /late HTTP/1.1\r\n\r\n", 2),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, ResponseTS: i64(1), Version: sp("1.1"), StatusCode: ip(408), StatusMsg: sp("Request Timeout"),
					ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
				{TS: 2, TransDepth: 2, RequestTS: i64(2), Method: sp("GET"), URI: sp("/late"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /late HTTP/1.1\r\n"), ClientHeaderNames: []string{}},
			},
			problem: map[string]uint64{"http_response_without_request": 1},
		},
		{
			name: "basic auth and escaping",
			evs: []ev{
				req("GET /p%20q\x01 HTTP/1.1\r\nAuthorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\r\n\r\n", 1),
				req("GET / HTTP/1.1\r\nProxy-Authorization: basic !!!\r\n\r\n", 2),
				req("GET / HTTP/1.1\r\nAuthorization: Bearer abc\r\n\r\n", 3),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp(`/p%20q\x01`), Version: sp("1.1"), Username: sp("aladdin"),
					RequestBodyLen: i64(0), RequestHead: sp("GET /p%20q\\x01 HTTP/1.1\r\nAuthorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\r\n"),
					ClientHeaderNames: []string{"AUTHORIZATION"}},
				{TS: 2, TransDepth: 2, RequestTS: i64(2), Method: sp("GET"), URI: sp("/"), Version: sp("1.1"), Username: sp("<problem-decoding> (basic !!!)"),
					RequestBodyLen: i64(0), RequestHead: sp("GET / HTTP/1.1\r\nProxy-Authorization: basic !!!\r\n"),
					ClientHeaderNames: []string{"PROXY-AUTHORIZATION"}},
				{TS: 3, TransDepth: 3, RequestTS: i64(3), Method: sp("GET"), URI: sp("/"), Version: sp("1.1"),
					RequestBodyLen: i64(0), RequestHead: sp("GET / HTTP/1.1\r\nAuthorization: Bearer abc\r\n"),
					ClientHeaderNames: []string{"AUTHORIZATION"}},
			},
		},
		{
			name: "chunked request and conflicting lengths",
			evs: []ev{
				req("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 1),
				req("POST /d HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 2),
				resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n", 3),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("POST"), URI: sp("/c"), Version: sp("1.1"), RequestBodyLen: i64(3),
					RequestHead: sp("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"), ClientHeaderNames: []string{"TRANSFER-ENCODING"},
					ResponseTS: i64(3), StatusCode: ip(200), StatusMsg: sp("OK"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
				{TS: 2, TransDepth: 2, RequestTS: i64(2), Method: sp("POST"), URI: sp("/d"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("POST /d HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n"), ClientHeaderNames: []string{"CONTENT-LENGTH", "CONTENT-LENGTH"},
					ResponseTS: i64(3), StatusCode: ip(400), StatusMsg: sp("Bad"), ResponseBodyLen: i64(0), ServerHeaderNames: []string{"CONTENT-LENGTH"}},
			},
			problem: map[string]uint64{"http_bad_content_length": 1},
		},
		{
			name: "excessive pipelining",
			cfg:  Config{MaxPending: 1},
			evs:  []ev{req("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", 1)},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/1"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /1 HTTP/1.1\r\n"), ClientHeaderNames: []string{}},
				{TS: 1, TransDepth: 2, RequestTS: i64(1), Method: sp("GET"), URI: sp("/2"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /2 HTTP/1.1\r\n"), ClientHeaderNames: []string{}},
			},
			problem: map[string]uint64{"http_excessive_pipelining": 1},
		},
		{
			name:    "header too large",
			cfg:     Config{MaxHeaderBytes: 64},
			evs:     []ev{req("GET / HTTP/1.1\r\nX-Long: "+strings.Repeat("a", 100)+"\r\n\r\n", 1)},
			problem: map[string]uint64{"http_header_too_large": 1},
		},
		{
			name: "bad request line later resynchronises",
			evs: []ev{
				req("GET /ok HTTP/1.1\r\n\r\nJUNK JUNK\r\nGET /after HTTP/1.1\r\n\r\n", 1),
			},
			want: []*Transaction{
				{TS: 1, TransDepth: 1, RequestTS: i64(1), Method: sp("GET"), URI: sp("/ok"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /ok HTTP/1.1\r\n"), ClientHeaderNames: []string{}},
				{TS: 1, TransDepth: 2, RequestTS: i64(1), Method: sp("GET"), URI: sp("/after"), Version: sp("1.1"), RequestBodyLen: i64(0),
					RequestHead: sp("GET /after HTTP/1.1\r\n"), ClientHeaderNames: []string{}},
			},
			problem: map[string]uint64{"http_bad_request_line": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, c := feed(tt.cfg, tt.evs, 0, nil)
			if diff := cmp.Diff(got, tt.want, ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("transactions (-got, +want):\n%s", diff)
			}
			problems := map[string]uint64{}
			c.Problems().Each(func(p Problem, n uint64) { problems[p.String()] = n })
			if diff := cmp.Diff(problems, tt.problem, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Problems() (-got, +want):\n%s", diff)
			}
			// Segment boundaries must not matter.
			for _, chunk := range []int{1, 2, 3} {
				again, _ := feed(tt.cfg, tt.evs, chunk, nil)
				if diff := cmp.Diff(again, got, ignore); diff != "" {
					t.Errorf("chunks of %d differ from whole (-chunked, +whole):\n%s", chunk, diff)
				}
			}
			again, _ := feed(tt.cfg, tt.evs, 0, rand.New(rand.NewPCG(1, 2)))
			if diff := cmp.Diff(again, got, ignore); diff != "" {
				t.Errorf("random chunks differ from whole (-chunked, +whole):\n%s", diff)
			}
		})
	}
}

func TestRequestHeadCap(t *testing.T) {
	long := "GET /" + strings.Repeat("x", MaxRequestHead) + " HTTP/1.1\r\n\r\n"
	got, _ := feed(Config{}, []ev{req(long, 1)}, 0, nil)
	if len(got) != 1 || got[0].RequestHead == nil {
		t.Fatalf("got %d transactions, want 1 with a request head", len(got))
	}
	if n := len(*got[0].RequestHead); n != MaxRequestHead {
		t.Errorf("len(RequestHead) = %d, want %d", n, MaxRequestHead)
	}
	if n := len(*got[0].URI); n != MaxRequestHead+1 {
		t.Errorf("len(URI) = %d, want %d (the URI is not capped)", n, MaxRequestHead+1)
	}
}

func TestDoneAfterGarbage(t *testing.T) {
	c := NewConn(Config{}, func(*Transaction) { t.Error("no transaction expected") })
	c.Data(true, []byte("\x00\x01\x02"), 1)
	if !c.Done() {
		t.Errorf("Done() = false after a binary start, want true")
	}
	c.Data(true, []byte("GET / HTTP/1.1\r\n\r\n"), 2)
	c.Close(3)
}
