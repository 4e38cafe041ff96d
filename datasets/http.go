package datasets

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// clientProfile is the software a workstation browses with.
type clientProfile struct {
	name   string
	ua     string
	tls    tlsFlavor
	accept string
	lang   string
}

var (
	chromeWin = &clientProfile{"chrome", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		tlsChrome, acceptChrome, "en-US,en;q=0.9"}
	edgeWin = &clientProfile{"edge", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
		tlsChrome, acceptChrome, "en-US,en;q=0.9"}
	firefoxLinux = &clientProfile{"firefox", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		tlsFirefox, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "en-US,en;q=0.5"}
	chromeLinux = &clientProfile{"chrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		tlsChrome, acceptChrome, "en-GB,en;q=0.9"}
	safariMac = &clientProfile{"safari", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		tlsSafari, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "en-US,en;q=0.9"}
	chromeMac = &clientProfile{"chrome", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		tlsChrome, acceptChrome, "en-US,en;q=0.9"}
	curlClient = &clientProfile{"curl", "curl/8.5.0", tlsCurl, "*/*", ""}
)

const acceptChrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"

// header is one HTTP header line.
type header struct{ k, v string }

func httpRequest(method, uri, host string, hs []header, body []byte) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, uri, host)
	for _, h := range hs {
		fmt.Fprintf(&b, "%s: %s\r\n", h.k, h.v)
	}
	b.WriteString("\r\n")
	return append([]byte(b.String()), body...)
}

// browserHeaders are the request headers of a top-level navigation.
func browserHeaders(c *clientProfile) []header {
	if c.tls == tlsFirefox {
		return []header{{"User-Agent", c.ua}, {"Accept", c.accept}, {"Accept-Language", c.lang},
			{"Accept-Encoding", "gzip, deflate"}, {"Connection", "keep-alive"}, {"Upgrade-Insecure-Requests", "1"}}
	}
	return []header{{"Connection", "keep-alive"}, {"Upgrade-Insecure-Requests", "1"}, {"User-Agent", c.ua},
		{"Accept", c.accept}, {"Accept-Encoding", "gzip, deflate"}, {"Accept-Language", c.lang}}
}

func httpDate(t int64) string {
	return time.Unix(0, t).UTC().Format(http1123)
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

var reasons = map[int]string{200: "OK", 204: "No Content", 301: "Moved Permanently", 302: "Found",
	304: "Not Modified", 404: "Not Found", 503: "Service Unavailable"}

// httpResponse builds a response head (and body when body is non-nil);
// bulk > 0 announces a body of bulk bytes that the caller sends as noise.
func httpResponse(status int, t int64, server string, hs []header, body []byte, bulk int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, reasons[status], httpDate(t))
	if server != "" {
		fmt.Fprintf(&b, "Server: %s\r\n", server)
	}
	for _, h := range hs {
		fmt.Fprintf(&b, "%s: %s\r\n", h.k, h.v)
	}
	switch {
	case bulk > 0:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", bulk)
	case status != 204 && status != 304:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	return append([]byte(b.String()), body...)
}

// chunkedResponse builds a response whose body is sent in chunks, as
// dynamic pages are.
func chunkedResponse(t int64, server, ctype string, body []byte, r *rand.Rand) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 200 OK\r\nDate: %s\r\nServer: %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n",
		httpDate(t), server, ctype)
	for len(body) > 0 {
		n := min(len(body), 1024+r.IntN(7168))
		fmt.Fprintf(&b, "%x\r\n", n)
		b.Write(body[:n])
		b.WriteString("\r\n")
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return []byte(b.String())
}

var words = strings.Fields(`the quarterly report team meeting project update network policy office schedule
customer support invoice travel budget review onboarding security training calendar release notes
documentation request approved pending department summary guidelines holiday payroll benefits
printer wiki handbook roadmap sprint backlog incident change ticket status dashboard analytics`)

// htmlPage returns a plausible HTML document of about n bytes.
func htmlPage(r *rand.Rand, title string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n"+
		"<link rel=\"stylesheet\" href=\"/static/site.css\">\n</head>\n<body>\n<main>\n", title)
	for b.Len() < n-40 {
		b.WriteString("<p>")
		for i := 0; i < 12+r.IntN(30); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		b.WriteString(".</p>\n")
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return []byte(b.String())
}

// jsonDoc returns a JSON object of about n bytes.
func jsonDoc(r *rand.Rand, n int) []byte {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < n-30; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"%s %s","value":%d,"ok":true}`, 1000+i, words[r.IntN(len(words))],
			words[r.IntN(len(words))], r.IntN(100000))
	}
	b.WriteString("]}\n")
	return []byte(b.String())
}

// lognorm draws a size with the given median and shape, within [lo, hi].
func lognorm(r *rand.Rand, median float64, sigma float64, lo, hi int) int {
	v := median * expf(float64(sigma*normDraw(r)))
	return min(max(int(v), lo), hi)
}

// exchange is one request and its response in an HTTPS connection.
type exchange struct {
	think int64 // client delay before the request
	req   int   // request record bytes
	resp  int   // response bytes
	proc  int64 // server time to first byte
}

// httpsPlan lays out a TLS connection carrying the given exchanges.
func httpsPlan(r *rand.Rand, c *clientProfile, sni string, srv tlsServer, ex []exchange, cl closeKind, idle int64) *tcpPlan {
	msgs, cpre, spre := tlsPrelude(r, c.tls, sni, srv)
	for i, e := range ex {
		req := message{from: 0, delay: e.think, bulk: tlsBulk(e.req), kind: bulkTLS, salt: r.Uint64()}
		resp := message{from: 1, delay: e.proc, bulk: tlsBulk(e.resp), kind: bulkTLS, salt: r.Uint64()}
		if i == 0 {
			req.head = cpre
			resp.head = spre
		}
		msgs = append(msgs, req, resp)
	}
	return &tcpPlan{msgs: msgs, close: cl, closeDelay: idle}
}

// pickClose draws how an ordinary connection ends.
func pickClose(r *rand.Rand) closeKind {
	switch x := r.IntN(100); {
	case x < 58:
		return closeFIN0
	case x < 86:
		return closeFIN1
	case x < 93:
		return closeRST0
	case x < 96:
		return closeRST1
	default:
		return closeFIN0RST
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
