package http_test

import (
	"fmt"

	"flowsift/extract/proto/http"
)

// Example shows how the flow table drives a Conn: each direction's
// reassembled bytes as they come, gaps where reassembly lost bytes, and
// Close when the flow ends.
func Example() {
	c := http.NewConn(http.Config{}, func(t *http.Transaction) {
		ua := "(absent)"
		if t.UserAgent != nil {
			ua = fmt.Sprintf("%q", *t.UserAgent)
		}
		fmt.Println(t.TransDepth, *t.Method, *t.Host, *t.URI, ua, *t.StatusCode, *t.ResponseBodyLen)
	})
	c.Data(true, []byte("GET /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent:\r\n\r\n"), 1)
	c.Data(true, []byte("GET /b HTTP/1.1\r\nHost: example.com\r\n\r\n"), 2)
	c.Data(false, []byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), 3)
	c.Data(false, []byte("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nno!\r\n0\r\n\r\n"), 4)
	c.Close(5)
	// Output:
	// 1 GET example.com /a "" 200 5
	// 2 GET example.com /b (absent) 404 3
}
