package http

import (
	"bytes"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flowsift/extract/proto/internal/pcaptest"
)

// refFile holds TShark's HTTP requests and responses of the corpus, recorded
// by testdata/proto/refgen.sh.
const refFile = "../../../testdata/proto/http/tshark.tsv"

// exchange is what both sides agree a connection carried.
type exchange struct {
	requests  []string // "METHOD uri host=... ua=..."
	responses []string // status codes
	// atClose counts the trailing responses only Close completed: their
	// bodies were cut by the end of the capture.
	atClose int
	gap     bool // reassembly stopped at a hole in either direction
	// reqReordered and respReordered say the capture holds a direction's
	// segments out of order.
	reqReordered, respReordered bool
	problems                    Counts
	// streams are the reassembled directions, to look for HTTP that starts
	// after another protocol's bytes.
	toServer, toClient []byte
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '\\' {
			return false
		}
	}
	return true
}

func reqString(method, uri, host, ua string) string {
	if !printable(uri) {
		uri = "<binary>"
	}
	if !printable(ua) {
		ua = "<binary>"
	}
	return fmt.Sprintf("%s %s host=%s ua=%s", method, uri, host, ua)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ours runs one connection through a Conn.
func ours(c *pcaptest.Conn) (exchange, *Conn) {
	var ex exchange
	closing := false
	conn := NewConn(Config{}, func(tx *Transaction) {
		if tx.Method != nil {
			ex.requests = append(ex.requests, reqString(*tx.Method, deref(tx.URI), deref(tx.Host), deref(tx.UserAgent)))
		}
		if tx.InfoCode != nil {
			// TShark lists interim responses as responses of their own.
			ex.responses = append(ex.responses, "info:"+fmt.Sprint(*tx.InfoCode))
		}
		if tx.StatusCode != nil {
			ex.responses = append(ex.responses, fmt.Sprint(*tx.StatusCode))
			if closing {
				ex.atClose++
			}
		}
	})
	conn.Data(true, c.ToServer, 1)
	if c.ToServerGap {
		conn.Gap(true, 1)
	}
	conn.Data(false, c.ToClient, 2)
	if c.ToClientGap {
		conn.Gap(false, 1)
	}
	ex.gap = c.ToServerGap || c.ToClientGap
	ex.reqReordered, ex.respReordered = c.ToServerReordered, c.ToClientReordered
	ex.toServer, ex.toClient = c.ToServer, c.ToClient
	closing = true
	conn.Close(3)
	ex.problems = *conn.Problems()
	return ex, conn
}

// explainHTTP classifies a difference from TShark by checking the claim
// it makes; "" means unexplained.
func explainHTTP(got, want exchange) string {
	if got.problems[ErrNotHTTP] > 0 && len(want.requests) == 0 && len(got.requests) == 0 {
		// A malformed first request line drops the connection before
		// the server's HTTP is read; TShark lists the responses alone.
		line, _, _ := bytes.Cut(got.toServer, []byte{'\n'})
		if !looksLikeStart(trimLine(line), true) {
			return "first-request-not-http"
		}
	}
	if got.respReordered && len(got.responses) > len(want.responses) && slices.Equal(got.requests, want.requests) &&
		slices.Equal(got.responses[:len(want.responses)], want.responses) {
		// TShark 4.0 does not reassemble out-of-order segments by default
		// (tcp.reassemble_out_of_order), so a body whose segments arrived
		// out of order never completes there; the harness orders them.
		return "out-of-order-segments"
	}
	if got.reqReordered && len(got.requests) > len(want.requests) && slices.Equal(got.responses, want.responses) &&
		slices.Equal(got.requests[:len(want.requests)], want.requests) {
		return "out-of-order-segments"
	}
	if len(got.requests) == 0 && len(got.responses) == 0 {
		// SOCKS and other proxies: HTTP starts after the proxy's own
		// bytes, where TShark's dissectors hand over. Prove it by parsing
		// from the first request line and status line.
		later := laterHTTP(got.toServer, got.toClient)
		if slices.Equal(later.requests, want.requests) && slices.Equal(later.responses, want.responses) {
			return "http-after-other-protocol"
		}
		return ""
	}
	if got.gap && len(got.requests) <= len(want.requests) && len(got.responses) <= len(want.responses) &&
		slices.Equal(got.requests, want.requests[:len(got.requests)]) &&
		slices.Equal(got.responses, want.responses[:len(got.responses)]) {
		return "capture-hole (reassembly stops at a missing segment; TShark dissects what follows)"
	}
	var why []string
	// TShark reports a response in the frame that completes its body; a
	// body the capture cut short is never reported. We emit it at Close.
	if n := len(got.responses) - len(want.responses); n > 0 && n <= got.atClose &&
		slices.Equal(got.responses[:len(want.responses)], want.responses) {
		why = append(why, "body-cut-by-capture-end")
	} else if !slices.Equal(got.responses, want.responses) {
		return ""
	}
	if len(got.requests) != len(want.requests) {
		return ""
	}
	for i := range got.requests {
		g, w := got.requests[i], want.requests[i]
		switch {
		case g == w:
		case strings.Contains(g, `\x00`) && strings.HasPrefix(g, strings.SplitN(w, " ua=", 2)[0]):
			// TShark's strings stop at a NUL byte; we escape it.
			why = append(why, "nul-in-header")
		case strings.HasPrefix(g, strings.SplitN(w, " host=", 2)[0]+" ") || strings.HasPrefix(g, strings.SplitN(w, " host=", 2)[0]):
			// TShark ends the URI at the first space; a target with
			// unencoded spaces stays whole in ours, up to the version.
			why = append(why, "uri-with-spaces")
		default:
			return ""
		}
	}
	slices.Sort(why)
	return strings.Join(slices.Compact(why), "+")
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("ours   %q\ntshark %q", a[i], b[i])
		}
	}
	return "(none)"
}

// laterHTTP parses the two directions from their first request line and
// status line on.
func laterHTTP(toServer, toClient []byte) exchange {
	start := func(b []byte, toServer bool) []byte {
		starts := responseStarts[:]
		if toServer {
			starts = requestStarts[:]
		}
		for i := range b {
			nl := bytes.IndexByte(b[i:], '\n')
			if nl < 0 {
				break
			}
			for _, s := range starts {
				if bytes.HasPrefix(b[i:], []byte(s)) && looksLikeStart(trimLine(b[i:i+nl]), toServer) {
					return b[i:]
				}
			}
		}
		return nil
	}
	c := pcaptest.Conn{ToServer: start(toServer, true), ToClient: start(toClient, false)}
	ex, _ := ours(&c)
	return ex
}

func TestCorpusAgainstTShark(t *testing.T) {
	dir := pcaptest.Dir(t, "ndpi")
	rows := pcaptest.ReadTSV(t, refFile)
	byFile := map[string][]map[string]string{}
	for _, r := range rows {
		byFile[r["file"]] = append(byFile[r["file"]], r)
	}
	conns, matched, requests := 0, 0, 0
	reasons := map[string]int{}
	for _, file := range slices.Sorted(maps.Keys(byFile)) {
		want := map[string]*exchange{}
		for _, r := range byFile[file] {
			if r["method"] != "" {
				key := r["src"] + " " + r["dst"]
				if want[key] == nil {
					want[key] = &exchange{}
				}
				want[key].requests = append(want[key].requests, reqString(r["method"], r["uri"], r["host"], r["user_agent"]))
			}
			if r["code"] != "" {
				key := r["dst"] + " " + r["src"]
				if want[key] == nil {
					want[key] = &exchange{}
				}
				code := r["code"]
				if strings.HasPrefix(code, "1") && code != "101" {
					code = "info:" + code
				}
				want[key].responses = append(want[key].responses, code)
			}
		}
		for _, c := range pcaptest.Conns(t, filepath.Join(dir, file), 8<<20) {
			for _, key := range []string{c.Client.String() + " " + c.Server.String(), c.Server.String() + " " + c.Client.String()} {
				w := want[key]
				if w == nil {
					continue
				}
				delete(want, key)
				conns++
				requests += len(w.requests)
				cc := *c
				if strings.HasPrefix(key, c.Server.String()) {
					cc.ToServer, cc.ToClient = c.ToClient, c.ToServer
					cc.ToServerGap, cc.ToClientGap = c.ToClientGap, c.ToServerGap
				}
				got, conn := ours(&cc)
				id := file + " " + key
				if slices.Equal(got.requests, w.requests) && slices.Equal(got.responses, w.responses) {
					matched++
					continue
				}
				if why := explainHTTP(got, *w); why != "" {
					reasons[why]++
					continue
				}
				var problems []string
				conn.Problems().Each(func(p Problem, n uint64) { problems = append(problems, fmt.Sprintf("%s=%d", p, n)) })
				t.Errorf("%s (gaps %v/%v, problems %v):\nours    %d requests, responses %q\ntshark  %d requests, responses %q\nfirst differing request:\n%s", id, cc.ToServerGap, cc.ToClientGap,
					problems, len(got.requests), got.responses, len(w.requests), w.responses, firstDiff(got.requests, w.requests))
			}
		}
		for key := range want {
			t.Errorf("%s %s: TShark's connection not found in the harness", file, key)
		}
	}
	t.Logf("HTTP: %d connections (%d requests) compared with TShark, %d identical", conns, requests, matched)
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		t.Logf("  %4d %s", reasons[r], r)
	}
}
