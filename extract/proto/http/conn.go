package http

import (
	"bytes"

	"flowsift/extract/proto/text"
)

// Limits and defaults.
const (
	// DefaultMaxHeaderBytes is the default of Config.MaxHeaderBytes.
	DefaultMaxHeaderBytes = 64 << 10
	// DefaultMaxPending is the default of Config.MaxPending, Zeek's
	// max_pending_requests.
	DefaultMaxPending = 100
	// MaxRequestHead caps Transaction.RequestHead, in bytes as sent.
	MaxRequestHead = 8 << 10

	maxLine      = 8 << 10 // chunk-size, trailer and resync lines
	resyncBudget = 1 << 20 // bytes searched for a message start after a loss
)

// Config configures a [Conn].
type Config struct {
	// MaxHeaderBytes bounds one header block; a longer one drops the
	// connection. Zero means DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// MaxPending bounds the requests waiting for responses. Zero means
	// DefaultMaxPending.
	MaxPending int
}

// Conn parses the two directions of one HTTP connection. It is not safe for
// concurrent use.
type Conn struct {
	maxHeader  int
	maxPending int
	emit       func(*Transaction)
	half       [2]half // requests, responses
	pending    []*Transaction
	depth      int
	stopped    bool
	lastTS     int64 // time of the latest data, for rows of lost requests
	counts     Counts
}

type state uint8

const (
	stStart      state = iota // between messages; blank lines are skipped
	stHead                    // reading a start line and header block
	stBody                    // Content-Length body
	stChunkSize               // chunk-size line
	stChunkData               // chunk data
	stChunkEnd                // CRLF after chunk data
	stTrailer                 // trailer section after the last chunk
	stUntilClose              // response body delimited by the close
	stResync                  // looking for a message start after a loss
	stDead                    // direction abandoned
)

type half struct {
	toServer  bool
	st        state
	buf       []byte // header block, or the line being read
	scan      int    // where the search for the end of the header resumes
	lineOK    bool   // the start line of the message in buf was validated
	synced    bool   // a valid start line was seen in this direction
	ts        int64  // time of the message's first byte
	remain    int64  // bytes left in the body or chunk
	body      int64  // body bytes so far
	gap       int64  // body bytes lost in gaps
	tx        *Transaction
	match     [len(requestStarts)]uint8 // resync: progress through each start string
	skipLine  bool                      // trailer: discarding an over-long line
	sawCR     bool                      // stChunkEnd: CR seen
	discarded int64
}

// NewConn returns a Conn that hands each finished transaction to emit.
func NewConn(cfg Config, emit func(*Transaction)) *Conn {
	c := &Conn{maxHeader: cfg.MaxHeaderBytes, maxPending: cfg.MaxPending, emit: emit}
	if c.maxHeader <= 0 {
		c.maxHeader = DefaultMaxHeaderBytes
	}
	if c.maxPending <= 0 {
		c.maxPending = DefaultMaxPending
	}
	c.half[0].toServer = true
	return c
}

// Problems returns the problems counted so far.
func (c *Conn) Problems() *Counts { return &c.counts }

// Done reports whether the connection stopped being parsed (not HTTP, a
// tunnel, a limit): the flow table may stop feeding it, but must still call
// Close.
func (c *Conn) Done() bool {
	return c.stopped || (c.half[0].st == stDead && c.half[1].st == stDead)
}

func (c *Conn) halfFor(toServer bool) *half {
	if toServer {
		return &c.half[0]
	}
	return &c.half[1]
}

// Data feeds the next in-order bytes of one direction, received at ts (Unix
// nanoseconds). b is not retained.
func (c *Conn) Data(toServer bool, b []byte, ts int64) {
	h := c.halfFor(toServer)
	c.lastTS = max(c.lastTS, ts)
	for len(b) > 0 && !c.stopped && h.st != stDead {
		b = b[c.step(h, b, ts):]
	}
}

// step consumes a prefix of b; it either consumes at least one byte or
// changes state, so Data always progresses.
func (c *Conn) step(h *half, b []byte, ts int64) int {
	switch h.st {
	case stStart:
		i := 0
		for i < len(b) && (b[i] == '\r' || b[i] == '\n') {
			i++
		}
		if i < len(b) {
			h.begin(ts)
		}
		return i
	case stHead:
		return c.stepHead(h, b)
	case stBody, stChunkData:
		n := int(min(int64(len(b)), h.remain))
		h.remain -= int64(n)
		h.body += int64(n)
		if h.remain == 0 {
			if h.st == stBody {
				c.endMessage(h)
			} else {
				h.st, h.sawCR = stChunkEnd, false
			}
		}
		return n
	case stChunkSize:
		return c.stepChunkSize(h, b)
	case stChunkEnd:
		switch {
		case b[0] == '\r' && !h.sawCR:
			h.sawCR = true
			return 1
		case b[0] == '\n':
			h.st = stChunkSize
			h.buf = h.buf[:0]
			return 1
		}
		c.counts.Add(ErrBadChunk)
		c.endMessage(h)
		h.resync()
		return 0
	case stTrailer:
		return c.stepTrailer(h, b)
	case stUntilClose:
		h.body += int64(len(b))
		return len(b)
	case stResync:
		return c.stepResync(h, b, ts)
	}
	return len(b)
}

func (h *half) begin(ts int64) {
	h.st = stHead
	h.ts = ts
	h.buf = h.buf[:0]
	h.scan = 0
	h.lineOK = false
}

func (h *half) resync() {
	h.st = stResync
	h.buf = h.buf[:0]
	h.match = [len(requestStarts)]uint8{}
}

// headerEnd returns the offset just past the blank line ending a header
// block, searching for line feeds from from on, or -1.
func headerEnd(b []byte, from int) int {
	for i := from; i < len(b); {
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			return -1
		}
		i += nl
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
		i++
	}
	return -1
}

func (c *Conn) stepHead(h *half, b []byte) int {
	if len(h.buf) == 0 && !h.lineOK {
		// Fast path: the whole block in b is parsed where it lies.
		if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
			if !looksLikeStart(trimLine(b[:nl]), h.toServer) {
				return c.badStart(h, nil)
			}
			h.lineOK = true
			if end := headerEnd(b, nl); end > 0 && end <= c.maxHeader {
				c.head(h, b[:end])
				return end
			}
			h.scan = nl
		}
	}
	old := len(h.buf)
	take := b[:min(len(b), c.maxHeader-old)]
	h.buf = append(h.buf, take...)
	if !h.lineOK {
		nl := bytes.IndexByte(h.buf[old:], '\n')
		if nl < 0 {
			if ok, _ := plausibleStart(h.buf, h.toServer); !ok {
				return c.badStart(h, h.buf[:old])
			}
			if len(h.buf) >= c.maxHeader {
				c.counts.Add(ErrHeaderTooLarge)
				c.abandon()
			}
			return len(take)
		}
		nl += old
		if !looksLikeStart(trimLine(h.buf[:nl]), h.toServer) {
			return c.badStart(h, h.buf[:old])
		}
		h.lineOK = true
		h.scan = nl
	}
	if end := headerEnd(h.buf, h.scan); end > 0 {
		c.head(h, h.buf[:end])
		return end - old
	}
	h.scan = max(h.scan, len(h.buf)-2)
	if len(h.buf) >= c.maxHeader {
		c.counts.Add(ErrHeaderTooLarge)
		c.abandon()
	}
	return len(take)
}

// badStart handles a message that does not start with a valid start line.
// While neither direction has shown HTTP, the connection is not HTTP and is
// dropped at once. Otherwise the direction resynchronises from the second
// byte of the bad message: a capture that began mid-connection, or a server
// answering HTTP with something else, still gives the rows the other
// direction supports.
//
// prior holds the bytes of the message that earlier chunks delivered; they
// are searched again so that where chunks were cut cannot change what
// resynchronisation finds. The return value is what stepHead consumed of the
// current chunk: the message's first byte when prior is empty, else nothing.
func (c *Conn) badStart(h *half, prior []byte) int {
	if !c.half[0].synced && !c.half[1].synced {
		c.counts.Add(ErrNotHTTP)
		c.abandon()
		return 1
	}
	if h.toServer {
		c.counts.Add(ErrBadRequestLine)
	} else {
		c.counts.Add(ErrBadStatusLine)
	}
	if len(prior) == 0 {
		h.resync()
		return 1
	}
	replay := append([]byte(nil), prior[1:]...)
	h.resync()
	for len(replay) > 0 && h.st == stResync {
		replay = replay[c.stepResync(h, replay, h.ts):]
	}
	return 0
}

func (c *Conn) stepChunkSize(h *half, b []byte) int {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		if len(h.buf)+len(b) > maxLine {
			c.counts.Add(ErrBadChunk)
			c.endMessage(h)
			h.resync()
			return len(b)
		}
		h.buf = append(h.buf, b...)
		return len(b)
	}
	line := b[:nl]
	if len(h.buf) > 0 {
		h.buf = append(h.buf, line...)
		line = h.buf
	}
	size, ok := parseChunkSize(trimLine(line))
	h.buf = h.buf[:0]
	switch {
	case !ok:
		c.counts.Add(ErrBadChunk)
		c.endMessage(h)
		h.resync()
	case size == 0:
		h.st = stTrailer
		h.skipLine = false
	default:
		h.st, h.remain = stChunkData, size
	}
	return nl + 1
}

func parseChunkSize(l []byte) (int64, bool) {
	if semi := bytes.IndexByte(l, ';'); semi >= 0 {
		l = l[:semi]
	}
	l = trimOWS(l)
	if len(l) == 0 || len(l) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range l {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}

func (c *Conn) stepTrailer(h *half, b []byte) int {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		if !h.skipLine {
			if len(h.buf)+len(b) > maxLine {
				h.skipLine = true
				h.buf = h.buf[:0]
			} else {
				h.buf = append(h.buf, b...)
			}
		}
		return len(b)
	}
	empty := !h.skipLine && len(trimLine(append(h.buf, b[:nl]...))) == 0
	h.buf = h.buf[:0]
	h.skipLine = false
	if empty {
		c.endMessage(h)
	}
	return nl + 1
}

// The strings a message can start with, looked for anywhere while
// resynchronising: after a loss, or when a capture starts mid-connection, the
// next message often follows the end of a body directly, not a line feed.
var (
	requestStarts  = [...]string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH ", "TRACE "}
	responseStarts = [...]string{"HTTP/1."}
)

func (c *Conn) stepResync(h *half, b []byte, ts int64) int {
	if len(h.buf) > 0 {
		// Collecting the line that began with a start string.
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			if len(h.buf)+len(b) > maxLine {
				c.discard(h, len(h.buf)+len(b))
				h.buf = h.buf[:0]
			} else {
				h.buf = append(h.buf, b...)
			}
			return len(b)
		}
		h.buf = append(h.buf, b[:nl+1]...)
		if looksLikeStart(trimLine(h.buf[:len(h.buf)-1]), h.toServer) {
			h.st = stHead
			h.lineOK = true
			h.scan = len(h.buf) - 1
			return nl + 1
		}
		c.discard(h, len(h.buf))
		h.buf = h.buf[:0]
		return nl + 1
	}
	starts := responseStarts[:]
	if h.toServer {
		starts = requestStarts[:]
	}
	for i, x := range b {
		for k, s := range starts {
			// No start string has a proper prefix that is also its
			// suffix, so one counter per string matches exactly, across
			// chunk boundaries too.
			m := h.match[k]
			switch {
			case x == s[m]:
				m++
			case x == s[0]:
				m = 1
			default:
				m = 0
			}
			if int(m) == len(s) {
				c.discard(h, max(0, i+1-len(s)))
				h.match = [len(requestStarts)]uint8{}
				h.buf = append(h.buf[:0], s...)
				h.ts = ts
				return i + 1
			}
			h.match[k] = m
		}
	}
	c.discard(h, len(b))
	return len(b)
}

func (c *Conn) discard(h *half, n int) {
	h.discarded += int64(n)
	if h.discarded > resyncBudget && h.st != stDead {
		c.counts.Add(ErrResyncFailed)
		h.st = stDead
		h.buf = nil
	}
}

// head handles a complete start line and header block.
func (c *Conn) head(h *half, block []byte) {
	h.synced = true
	h.discarded = 0
	h.body, h.gap = 0, 0
	if h.toServer {
		c.request(h, block)
	} else {
		c.response(h, block)
	}
}

func firstLine(block []byte) (line, rest []byte) {
	nl := bytes.IndexByte(block, '\n')
	return trimLine(block[:nl]), block[nl+1:]
}

func (c *Conn) request(h *half, block []byte) {
	line, rest := firstLine(block)
	method, target, version, _ := parseRequestLine(line)
	c.depth++
	tx := &Transaction{TS: h.ts, TransDepth: c.depth}
	tx.v.reqTS = h.ts
	tx.RequestTS = &tx.v.reqTS
	setStr(&tx.Method, &tx.v.method, text.String(method))
	setStr(&tx.URI, &tx.v.uri, text.String(target))
	setStr(&tx.Version, &tx.v.version, text.String(version))
	tx.head = string(method) == "HEAD"
	tx.connect = string(method) == "CONNECT"

	raw := block[:len(block)-blankLen(block)]
	setStr(&tx.RequestHead, &tx.v.head, string(text.AppendLines(nil, raw[:min(len(raw), MaxRequestHead)])))

	var cl int64 = -1
	clBad, te, chunked := false, false, false
	tx.ClientHeaderNames = make([]string, 0, bytes.Count(rest, []byte{'\n'}))
	bad := headerLines(rest, func(hd header) {
		name := headerName(hd.name)
		tx.ClientHeaderNames = append(tx.ClientHeaderNames, name)
		switch name {
		case "HOST":
			setStr(&tx.Host, &tx.v.host, text.String(hd.value))
		case "USER-AGENT":
			setStr(&tx.UserAgent, &tx.v.ua, text.String(hd.value))
		case "REFERER":
			setStr(&tx.Referrer, &tx.v.referrer, text.String(hd.value))
		case "ORIGIN":
			setStr(&tx.Origin, &tx.v.origin, text.String(hd.value))
		case "COOKIE":
			setStr(&tx.Cookie, &tx.v.cookie, text.String(hd.value))
		case "CONTENT-TYPE":
			setStr(&tx.RequestContentType, &tx.v.reqCT, text.String(hd.value))
		case "AUTHORIZATION", "PROXY-AUTHORIZATION":
			if u, ok := basicUser(hd.value); ok {
				setStr(&tx.Username, &tx.v.username, u)
			}
		case "CONTENT-LENGTH":
			cl, clBad = mergeLength(cl, clBad, hd.value)
		case "TRANSFER-ENCODING":
			te, chunked = true, chunkedLast(hd.value)
		}
	})
	for range bad {
		c.counts.Add(ErrBadHeaderLine)
	}
	if clBad {
		c.counts.Add(ErrBadContentLength)
	}

	h.tx = tx
	c.push(tx)
	switch {
	case te && chunked:
		h.st = stChunkSize
		h.buf = h.buf[:0]
	case te:
		c.counts.Add(ErrBadTransferEncoding)
		c.endMessage(h)
	case cl > 0 && !clBad:
		h.st, h.remain = stBody, cl
	default:
		c.endMessage(h)
	}
}

// blankLen is the length of the blank line ending a header block.
func blankLen(block []byte) int {
	if len(block) >= 2 && block[len(block)-2] == '\r' {
		return 2
	}
	return 1
}

// mergeLength folds one Content-Length value into the one seen so far.
func mergeLength(cl int64, bad bool, v []byte) (int64, bool) {
	n, ok := parseContentLength(v)
	if !ok || (cl >= 0 && n != cl) {
		return cl, true
	}
	return n, bad
}

func (c *Conn) response(h *half, block []byte) {
	line, rest := firstLine(block)
	version, code, reason, _ := parseStatusLine(line)
	tx := c.responseTarget(h.ts)
	if tx.ResponseTS == nil {
		tx.v.respTS = h.ts
		tx.ResponseTS = &tx.v.respTS
	}
	setStr(&tx.Version, &tx.v.version, text.String(version))
	if code >= 100 && code < 200 && code != 101 {
		// Interim response: the final one follows for the same request.
		tx.v.info = code
		tx.InfoCode = &tx.v.info
		setStr(&tx.InfoMsg, &tx.v.infoMsg, text.String(reason))
		h.tx = nil
		h.st = stStart
		return
	}
	tx.v.status = code
	tx.StatusCode = &tx.v.status
	setStr(&tx.StatusMsg, &tx.v.statusMsg, text.String(reason))
	tx.respFinal = true

	var cl int64 = -1
	clBad, te, chunked := false, false, false
	tx.ServerHeaderNames = make([]string, 0, bytes.Count(rest, []byte{'\n'}))
	bad := headerLines(rest, func(hd header) {
		name := headerName(hd.name)
		tx.ServerHeaderNames = append(tx.ServerHeaderNames, name)
		switch name {
		case "LOCATION":
			setStr(&tx.Location, &tx.v.location, text.String(hd.value))
		case "SERVER":
			setStr(&tx.Server, &tx.v.server, text.String(hd.value))
		case "CONTENT-TYPE":
			setStr(&tx.ResponseContentType, &tx.v.respCT, text.String(hd.value))
		case "CONTENT-LENGTH":
			cl, clBad = mergeLength(cl, clBad, hd.value)
		case "TRANSFER-ENCODING":
			te, chunked = true, chunkedLast(hd.value)
		}
	})
	for range bad {
		c.counts.Add(ErrBadHeaderLine)
	}
	if clBad {
		c.counts.Add(ErrBadContentLength)
	}

	h.tx = tx
	switch {
	case code == 101 || (tx.connect && code/100 == 2):
		c.endMessage(h)
		c.counts.Add(ErrTunnel)
		c.stop()
	case tx.head || code == 204 || code == 304:
		c.endMessage(h)
	case te && chunked:
		h.st = stChunkSize
		h.buf = h.buf[:0]
	case te:
		h.st = stUntilClose
	case cl >= 0 && !clBad:
		if cl == 0 {
			c.endMessage(h)
		} else {
			h.st, h.remain = stBody, cl
		}
	default:
		h.st = stUntilClose
	}
}

// responseTarget returns the oldest request still waiting for its final
// response, or a new row for a response nobody asked for.
func (c *Conn) responseTarget(ts int64) *Transaction {
	for _, tx := range c.pending {
		if !tx.respFinal {
			return tx
		}
	}
	c.counts.Add(ErrResponseWithoutRequest)
	c.depth++
	tx := &Transaction{TS: ts, TransDepth: c.depth, reqDone: true}
	c.push(tx)
	return tx
}

func (c *Conn) push(tx *Transaction) {
	c.pending = append(c.pending, tx)
	if len(c.pending) > c.maxPending {
		c.counts.Add(ErrExcessivePipelining)
		old := c.pending[0]
		c.pending = c.pending[1:]
		// The directions must not write into a row once it is emitted.
		for i := range c.half {
			if c.half[i].tx == old {
				c.half[i].tx = nil
			}
		}
		c.emit(old)
	}
}

// endMessage records the end of the message being read in h.
func (c *Conn) endMessage(h *half) {
	if tx := h.tx; tx != nil {
		if h.toServer {
			tx.v.reqBody = h.body
			tx.RequestBodyLen = &tx.v.reqBody
			tx.RequestGapBytes = h.gap
			tx.reqDone = true
		} else {
			tx.v.respBody = h.body
			tx.ResponseBodyLen = &tx.v.respBody
			tx.ResponseGapBytes = h.gap
			tx.respDone = true
		}
	}
	h.tx = nil
	h.st = stStart
	h.buf = h.buf[:0]
	h.body, h.gap, h.remain = 0, 0, 0
	c.flushDone()
}

// flushDone emits finished rows from the head of the queue.
func (c *Conn) flushDone() {
	n := 0
	for n < len(c.pending) && c.pending[n].reqDone && c.pending[n].respDone {
		c.emit(c.pending[n])
		c.pending[n] = nil
		n++
	}
	if n > 0 {
		c.pending = append(c.pending[:0], c.pending[n:]...)
	}
}

// Gap reports n bytes missing from one direction at this point.
func (c *Conn) Gap(toServer bool, n int) {
	h := c.halfFor(toServer)
	if c.stopped || n <= 0 || h.st == stDead {
		return
	}
	switch h.st {
	case stBody, stChunkData:
		k := min(int64(n), h.remain)
		h.remain -= k
		h.body += k
		h.gap += k
		n -= int(k)
		c.counts.Add(ErrBodyGap)
		if h.remain == 0 {
			if h.st == stBody {
				c.endMessage(h)
			} else {
				h.st, h.sawCR = stChunkEnd, false
			}
		}
		if n > 0 {
			c.headerGap(h)
		}
	case stUntilClose:
		h.body += int64(n)
		h.gap += int64(n)
		c.counts.Add(ErrBodyGap)
	case stResync:
		h.resync()
	default:
		c.headerGap(h)
	}
}

// headerGap abandons the message in progress after a loss outside a body
// and starts resynchronising at the byte after the gap, which often begins
// a message because capture loss drops whole packets.
func (c *Conn) headerGap(h *half) {
	c.counts.Add(ErrHeaderGap)
	switch h.st {
	case stChunkSize, stChunkEnd, stTrailer:
		c.endMessage(h)
	case stStart, stHead:
		if h.toServer {
			// A request was lost: keep its place in the queue so that the
			// responses still pair with the right requests.
			c.depth++
			tx := &Transaction{TS: c.lastTS, TransDepth: c.depth, reqDone: true}
			if h.st == stHead && h.lineOK {
				tx.TS = h.ts
				line, _ := firstLine(h.buf)
				if m, t, v, ok := parseRequestLine(line); ok {
					tx.v.reqTS = h.ts
					tx.RequestTS = &tx.v.reqTS
					setStr(&tx.Method, &tx.v.method, text.String(m))
					setStr(&tx.URI, &tx.v.uri, text.String(t))
					setStr(&tx.Version, &tx.v.version, text.String(v))
				}
			}
			c.push(tx)
		} else {
			for _, tx := range c.pending {
				if !tx.respFinal {
					tx.respFinal, tx.respDone = true, true
					break
				}
			}
			c.flushDone()
		}
	}
	h.tx = nil
	h.resync()
}

// abandon stops parsing and emits what is pending.
func (c *Conn) abandon() { c.stop() }

func (c *Conn) stop() {
	if c.stopped {
		return
	}
	c.stopped = true
	for i := range c.half {
		c.half[i].st = stDead
		c.half[i].buf = nil
		c.half[i].tx = nil
	}
	for _, tx := range c.pending {
		c.emit(tx)
	}
	c.pending = nil
}

// Close ends the connection at ts: a response delimited by the close ends
// here, messages cut short keep the body length seen, and every pending row
// is emitted.
func (c *Conn) Close(ts int64) {
	if c.stopped {
		return
	}
	for i := range c.half {
		h := &c.half[i]
		switch h.st {
		case stUntilClose, stBody, stChunkSize, stChunkData, stChunkEnd, stTrailer:
			c.endMessage(h)
		}
	}
	c.stop()
}
