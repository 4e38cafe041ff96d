package http

import (
	"bytes"
	"encoding/base64"
	"strconv"

	"flowsift/extract/proto/text"
)

// tokenChar reports whether c may appear in a method or header name
// (RFC 9110 section 5.6.2).
func tokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

const maxMethodLen = 24

// plausibleStart reports whether the first bytes of a message can begin a
// request line (toServer) or a status line; decided is false while more
// bytes are needed to tell.
func plausibleStart(p []byte, toServer bool) (ok, decided bool) {
	if toServer {
		for i, c := range p {
			if c == ' ' {
				return i > 0, true
			}
			if !tokenChar(c) || i >= maxMethodLen {
				return false, true
			}
		}
		return true, false
	}
	const prefix = "HTTP/"
	n := min(len(p), len(prefix))
	if !bytes.Equal(p[:n], []byte(prefix[:n])) {
		return false, true
	}
	return true, n == len(prefix)
}

// trimLine drops a trailing CR.
func trimLine(l []byte) []byte {
	if len(l) > 0 && l[len(l)-1] == '\r' {
		return l[:len(l)-1]
	}
	return l
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseVersion accepts "HTTP/x.y" and returns "x.y".
func parseVersion(v []byte) ([]byte, bool) {
	if len(v) < 8 || string(v[:5]) != "HTTP/" {
		return nil, false
	}
	d := v[5:]
	dot := bytes.IndexByte(d, '.')
	if dot <= 0 || dot == len(d)-1 {
		return nil, false
	}
	for i, c := range d {
		if i != dot && (c < '0' || c > '9') {
			return nil, false
		}
	}
	return d, true
}

// parseRequestLine splits "METHOD SP target SP HTTP/x.y". Targets with
// unencoded spaces are kept whole: the version is the last word.
func parseRequestLine(l []byte) (method, target, version []byte, ok bool) {
	sp := bytes.IndexByte(l, ' ')
	if sp <= 0 || sp > maxMethodLen {
		return nil, nil, nil, false
	}
	method = l[:sp]
	for _, c := range method {
		if !tokenChar(c) {
			return nil, nil, nil, false
		}
	}
	rest := trimOWS(l[sp+1:])
	last := bytes.LastIndexByte(rest, ' ')
	if last <= 0 {
		return nil, nil, nil, false
	}
	version, ok = parseVersion(rest[last+1:])
	if !ok {
		return nil, nil, nil, false
	}
	target = trimOWS(rest[:last])
	return method, target, version, len(target) > 0
}

// parseStatusLine splits "HTTP/x.y SP code [SP reason]".
func parseStatusLine(l []byte) (version []byte, code int, reason []byte, ok bool) {
	sp := bytes.IndexByte(l, ' ')
	if sp < 0 {
		return nil, 0, nil, false
	}
	version, ok = parseVersion(l[:sp])
	if !ok {
		return nil, 0, nil, false
	}
	rest := l[sp+1:]
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	if len(rest) < 3 || (len(rest) > 3 && rest[3] != ' ' && rest[3] != '\t') {
		return nil, 0, nil, false
	}
	for _, c := range rest[:3] {
		if c < '0' || c > '9' {
			return nil, 0, nil, false
		}
	}
	code = int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
	if len(rest) > 3 {
		reason = trimOWS(rest[4:])
	}
	return version, code, reason, true
}

// looksLikeStart reports whether a whole line (no CRLF) is a request or
// status line, for resynchronisation.
func looksLikeStart(l []byte, toServer bool) bool {
	if toServer {
		_, _, _, ok := parseRequestLine(l)
		return ok
	}
	_, _, _, ok := parseStatusLine(l)
	return ok
}

// headerName returns the upper-case, escaped name, without allocating for
// the names that matter or are common.
func headerName(n []byte) string {
	var buf [40]byte
	if len(n) > len(buf) {
		return text.String(bytes.ToUpper(n))
	}
	up := buf[:len(n)]
	for i, c := range n {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	if s, ok := commonHeaders[string(up)]; ok {
		return s
	}
	return text.String(up)
}

var commonHeaders = func() map[string]string {
	m := map[string]string{}
	for _, h := range []string{
		"HOST", "USER-AGENT", "ACCEPT", "ACCEPT-ENCODING", "ACCEPT-LANGUAGE", "ACCEPT-CHARSET",
		"ACCEPT-RANGES", "CONNECTION", "KEEP-ALIVE", "CONTENT-TYPE", "CONTENT-LENGTH",
		"CONTENT-ENCODING", "CONTENT-LANGUAGE", "CONTENT-DISPOSITION", "CONTENT-RANGE",
		"TRANSFER-ENCODING", "COOKIE", "SET-COOKIE", "REFERER", "ORIGIN", "AUTHORIZATION",
		"PROXY-AUTHORIZATION", "PROXY-CONNECTION", "CACHE-CONTROL", "PRAGMA", "EXPIRES",
		"LAST-MODIFIED", "ETAG", "IF-MODIFIED-SINCE", "IF-NONE-MATCH", "IF-MATCH", "RANGE",
		"DATE", "SERVER", "LOCATION", "VARY", "AGE", "VIA", "X-FORWARDED-FOR", "UPGRADE",
		"UPGRADE-INSECURE-REQUESTS", "DNT", "TE", "EXPECT", "X-REQUESTED-WITH", "X-POWERED-BY",
		"STRICT-TRANSPORT-SECURITY", "ACCESS-CONTROL-ALLOW-ORIGIN", "X-CONTENT-TYPE-OPTIONS",
		"X-FRAME-OPTIONS", "X-XSS-PROTECTION", "CONTENT-SECURITY-POLICY", "P3P", "WWW-AUTHENTICATE",
		"SEC-FETCH-SITE", "SEC-FETCH-MODE", "SEC-FETCH-DEST", "SEC-FETCH-USER", "SEC-CH-UA",
		"SEC-CH-UA-MOBILE", "SEC-CH-UA-PLATFORM", "PRIORITY", "ALT-SVC", "X-CACHE", "CF-RAY",
		"SOAPACTION", "USER-AGENT-X", "X-UA-COMPATIBLE",
	} {
		m[h] = h
	}
	return m
}()

// header is one parsed header line.
type header struct {
	name  []byte // as sent
	value []byte // OWS trimmed
}

// headerLines walks the header lines of a block (after the start line),
// joining obsolete folded continuation lines to the header they continue.
// bad counts lines that were skipped.
func headerLines(block []byte, fn func(h header)) (bad int) {
	var cur header
	var folded []byte // joined value when a header was folded
	have := false
	flush := func() {
		if have {
			if folded != nil {
				cur.value = folded
			}
			fn(cur)
		}
		have, folded = false, nil
	}
	for len(block) > 0 {
		nl := bytes.IndexByte(block, '\n')
		var line []byte
		if nl < 0 {
			line, block = block, nil
		} else {
			line, block = block[:nl], block[nl+1:]
		}
		line = trimLine(line)
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !have {
				bad++
				continue
			}
			if folded == nil {
				folded = append([]byte(nil), cur.value...)
			}
			if v := trimOWS(line); len(v) > 0 {
				if len(folded) > 0 {
					folded = append(folded, ' ')
				}
				folded = append(folded, v...)
			}
			continue
		}
		flush()
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			bad++
			continue
		}
		name := line[:colon]
		ok := true
		for _, c := range name {
			if !tokenChar(c) {
				ok = false
				break
			}
		}
		if !ok {
			bad++
			continue
		}
		cur = header{name: name, value: trimOWS(line[colon+1:])}
		have = true
	}
	flush()
	return bad
}

func equalFold(b []byte, upper string) bool {
	if len(b) != len(upper) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// parseContentLength accepts a decimal length, or a list of equal ones
// ("5, 5") as some intermediaries send.
func parseContentLength(v []byte) (int64, bool) {
	var n int64 = -1
	for part := range bytes.SplitSeq(v, []byte{','}) {
		p := trimOWS(part)
		if len(p) == 0 || len(p) > 18 {
			return 0, false
		}
		x, err := strconv.ParseInt(string(p), 10, 64)
		if err != nil || x < 0 || (n >= 0 && x != n) {
			return 0, false
		}
		n = x
	}
	return n, n >= 0
}

// chunkedLast reports whether the last transfer coding is chunked.
func chunkedLast(v []byte) bool {
	i := bytes.LastIndexByte(v, ',')
	last := trimOWS(v[i+1:])
	if semi := bytes.IndexByte(last, ';'); semi >= 0 {
		last = trimOWS(last[:semi])
	}
	return equalFold(last, "CHUNKED")
}

// basicUser extracts the user of an "Authorization: Basic" value the way
// Zeek does, or reports false for other schemes.
func basicUser(v []byte) (string, bool) {
	if len(v) < 6 || !equalFold(v[:5], "BASIC") || (v[5] != ' ' && v[5] != '\t') {
		return "", false
	}
	enc := trimOWS(v[6:])
	dec := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := base64.StdEncoding.Decode(dec, enc)
	if err != nil {
		n, err = base64.RawStdEncoding.Decode(dec, bytes.TrimRight(enc, "="))
	}
	if err == nil {
		if colon := bytes.IndexByte(dec[:n], ':'); colon >= 0 {
			return text.String(dec[:colon]), true
		}
	}
	return "<problem-decoding> (" + text.String(v) + ")", true
}
