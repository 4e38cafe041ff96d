package tls

import (
	"strings"

	"flowsift/extract/proto/text"
)

// DefaultMaxMessage is the default of Config.MaxMessage.
const DefaultMaxMessage = 64 << 10

// maxRecord bounds a record's length: 2^14 plus the largest expansion any
// version allows. Longer lengths mean the stream is not TLS.
const maxRecord = 1<<14 + 2048

// Config configures a [Conn].
type Config struct {
	// MaxMessage bounds one buffered handshake message; larger ones are
	// skipped unread. Zero means DefaultMaxMessage.
	MaxMessage int
}

// Handshake is one tls.parquet row. Pointer fields are nil where the table
// writes null. The table's client_* columns come from Client (Version,
// SupportedVersions, CipherSuites, Extensions, SupportedGroups,
// ECPointFormats, SignatureAlgorithms) and ClientALPN; server_version is
// Server.Negotiated(), server_cipher Server.CipherSuite and
// server_extensions Server.Extensions. A Handshake handed to the emit
// function belongs to the callee.
type Handshake struct {
	// TS is the time of the ClientHello in Unix nanoseconds, or of the
	// first server handshake message when no ClientHello was seen.
	TS int64

	// Client and Server are the decoded hellos; nil when not seen.
	Client *ClientHello
	Server *ServerHello

	// Version and Cipher name what the server chose (Zeek's spelling).
	Version *string
	Cipher  *string
	// Curve is the key-exchange group: the server's key share in TLS 1.3,
	// the named curve of an ECDHE ServerKeyExchange before.
	Curve *string
	// ServerName is the SNI, escaped.
	ServerName *string
	// NextProtocol is the ALPN protocol the server chose, escaped; always
	// nil for TLS 1.3, which sends it encrypted.
	NextProtocol *string
	// ClientALPN lists the offered ALPN protocols, escaped.
	ClientALPN []string
	// Established is set when a ServerHello (not a HelloRetryRequest) was
	// seen.
	Established bool
	// Resumed is set when the server resumed a session: a TLS 1.2 or older
	// session id echoed, an abbreviated handshake without a Certificate, or
	// a TLS 1.3 pre-shared key.
	Resumed bool

	JA3, JA3String   *string
	JA4              *string
	JA3S, JA3SString *string

	// Leaf is the server's first certificate; CertChainFPs the SHA-256 of
	// every certificate of the chain. Both nil when no Certificate message
	// was visible (TLS 1.3, resumption, capture loss).
	Leaf         *Certificate
	CertChainFPs []string

	v struct {
		version, cipher, curve, sni, alpn string
		ja3, ja3s, ja3str, ja3sstr, ja4   string
	}
}

// Conn parses the handshake of one TLS connection. It is not safe for
// concurrent use.
type Conn struct {
	maxMsg int
	emit   func(*Handshake)
	dir    [2]direction // client to server, server to client

	hs                   Handshake
	sawHello             bool
	started              bool
	emitted              bool
	tls13                bool // the server chose TLS 1.3, or sent a HelloRetryRequest
	sawCert              bool
	curveSKE             uint16
	hasSKE               bool
	serverCCSWithoutCert bool
	counts               Counts
}

type dirState uint8

const (
	dsHeader dirState = iota // reading a record header
	dsBody                   // reading a record body
	dsSSLv2                  // reading an SSLv2 ClientHello
	dsDone                   // encrypted, abandoned or finished
)

type direction struct {
	toServer bool
	st       dirState
	hdr      [5]byte
	nhdr     int
	typ      uint8
	remain   int
	records  int
	msg      []byte // handshake message being assembled, header included
	need     int    // its full length once the header is read, else 0
	skip     int    // bytes of an oversized message still to skip
	msgTS    int64
}

// NewConn returns a Conn that hands the finished handshake to emit.
func NewConn(cfg Config, emit func(*Handshake)) *Conn {
	c := &Conn{maxMsg: cfg.MaxMessage, emit: emit}
	if c.maxMsg <= 0 {
		c.maxMsg = DefaultMaxMessage
	}
	c.dir[0].toServer = true
	return c
}

// Problems returns the problems counted so far.
func (c *Conn) Problems() *Counts { return &c.counts }

// Done reports whether both directions are past their cleartext handshake,
// so the flow table can stop feeding bytes. Close must still be called.
func (c *Conn) Done() bool { return c.dir[0].st == dsDone && c.dir[1].st == dsDone }

func (c *Conn) direction(toServer bool) *direction {
	if toServer {
		return &c.dir[0]
	}
	return &c.dir[1]
}

// Data feeds the next in-order bytes of one direction, received at ts (Unix
// nanoseconds). b is not retained.
func (c *Conn) Data(toServer bool, b []byte, ts int64) {
	d := c.direction(toServer)
	for len(b) > 0 && d.st != dsDone {
		switch d.st {
		case dsHeader:
			if d.nhdr == 0 && d.records == 0 && toServer && b[0]&0x80 != 0 {
				d.st = dsSSLv2
				continue
			}
			n := copy(d.hdr[d.nhdr:], b)
			d.nhdr += n
			b = b[n:]
			if d.nhdr == 5 {
				c.recordHeader(d)
			}
		case dsBody:
			n := min(d.remain, len(b))
			if d.typ == recordHandshake {
				c.handshakeBytes(d, b[:n], ts)
			}
			d.remain -= n
			b = b[n:]
			if d.remain == 0 && d.st == dsBody {
				d.st = dsHeader
			}
		case dsSSLv2:
			b = c.sslv2(d, b, ts)
		}
	}
	c.maybeEmit()
}

// Record content types.
const (
	recordCCS       = 20
	recordAlert     = 21
	recordHandshake = 22
	recordAppData   = 23
	recordHeartbeat = 24
)

func (c *Conn) recordHeader(d *direction) {
	d.nhdr = 0
	typ, major := d.hdr[0], d.hdr[1]
	length := int(d.hdr[3])<<8 | int(d.hdr[4])
	first := d.records == 0
	d.records++
	if major != 3 || length > maxRecord || typ < recordCCS || typ > recordHeartbeat || (first && typ != recordHandshake && typ != recordAlert) {
		if first {
			c.counts.Add(ErrNotTLS)
		} else {
			c.counts.Add(ErrBadRecord)
		}
		c.finish(d)
		return
	}
	d.typ, d.remain = typ, length
	switch typ {
	case recordAppData:
		c.finish(d)
		return
	case recordCCS:
		// In TLS 1.3 a ChangeCipherSpec is a compatibility gesture and
		// the handshake goes on in the clear up to the ServerHello.
		if !c.tls13 {
			if !d.toServer && !c.sawCert {
				c.serverCCSWithoutCert = true
			}
			c.finish(d)
			return
		}
	case recordAlert:
		c.counts.Add(ErrAlert)
	}
	if d.remain > 0 {
		d.st = dsBody
	}
}

func (c *Conn) finish(d *direction) {
	d.st = dsDone
	d.msg = nil
	d.need, d.skip = 0, 0
}

// handshakeBytes reassembles handshake messages across records.
func (c *Conn) handshakeBytes(d *direction, frag []byte, ts int64) {
	for len(frag) > 0 && d.st != dsDone {
		if d.skip > 0 {
			n := min(d.skip, len(frag))
			d.skip -= n
			frag = frag[n:]
			continue
		}
		if d.need == 0 {
			if len(d.msg) == 0 {
				d.msgTS = ts
			}
			n := min(4-len(d.msg), len(frag))
			d.msg = append(d.msg, frag[:n]...)
			frag = frag[n:]
			if len(d.msg) < 4 {
				continue
			}
			l := int(d.msg[1])<<16 | int(d.msg[2])<<8 | int(d.msg[3])
			if 4+l > c.maxMsg {
				c.counts.Add(ErrMessageTooLarge)
				if d.msg[0] == hsCertificate && !d.toServer {
					c.sawCert = true
				}
				d.msg, d.skip = d.msg[:0], l
				continue
			}
			d.need = 4 + l
		}
		n := min(d.need-len(d.msg), len(frag))
		d.msg = append(d.msg, frag[:n]...)
		frag = frag[n:]
		if len(d.msg) == d.need {
			c.message(d, d.msg[0], d.msg[4:], d.msgTS)
			d.msg, d.need = d.msg[:0], 0
		}
	}
}

// Handshake message types.
const (
	hsClientHello       = 1
	hsServerHello       = 2
	hsCertificate       = 11
	hsServerKeyExchange = 12
)

func (c *Conn) message(d *direction, typ uint8, body []byte, ts int64) {
	if d.toServer {
		if typ == hsClientHello && !c.sawHello {
			// Only the first hello counts, even when it is unusable: a
			// later one (after a HelloRetryRequest) would give another
			// fingerprint.
			c.sawHello = true
			ch := &ClientHello{}
			if !ParseClientHello(body, ch) {
				c.counts.Add(ErrBadHandshake)
				if ch.Extensions == nil {
					return
				}
			}
			c.hs.Client = ch
			c.start(ts)
			c.hs.TS = ts
		}
		return
	}
	switch typ {
	case hsServerHello:
		sh := &ServerHello{}
		if !ParseServerHello(body, sh) {
			c.counts.Add(ErrBadHandshake)
			return
		}
		c.start(ts)
		if sh.HelloRetry {
			c.counts.Add(ErrHelloRetry)
			c.tls13 = true
			return
		}
		if c.hs.Server == nil {
			c.hs.Server = sh
			c.hs.Established = true
			if sh.Negotiated() == VersionTLS13 {
				c.tls13 = true
			}
		}
	case hsCertificate:
		if c.tls13 || c.hs.CertChainFPs != nil {
			return
		}
		c.sawCert = true
		c.certificates(body)
	case hsServerKeyExchange:
		// Only ECDHE suites send a named curve (RFC 8422 section 5.4).
		if sh := c.hs.Server; sh != nil && strings.Contains(CipherName(sh.CipherSuite), "ECDHE") &&
			len(body) >= 3 && body[0] == 3 {
			c.curveSKE, c.hasSKE = uint16(body[1])<<8|uint16(body[2]), true
		}
	}
}

func (c *Conn) start(ts int64) {
	if !c.started {
		c.started = true
		c.hs.TS = ts
	}
}

func (c *Conn) certificates(body []byte) {
	r := reader{b: body}
	list := reader{b: r.vec24()}
	if r.bad {
		c.counts.Add(ErrBadHandshake)
		return
	}
	c.hs.CertChainFPs = []string{}
	for len(list.b) > 0 {
		der := list.vec24()
		if list.bad {
			c.counts.Add(ErrBadHandshake)
			return
		}
		c.hs.CertChainFPs = append(c.hs.CertChainFPs, Fingerprint(der))
		if len(c.hs.CertChainFPs) == 1 {
			cert, ok := ParseCertificate(der)
			switch {
			case !ok:
				c.counts.Add(ErrBadCertificate)
			case cert.Lenient:
				c.counts.Add(ErrLenientCertificate)
			}
			c.hs.Leaf = cert
		}
	}
}

// sslv2 buffers and decodes an SSLv2-compatible ClientHello, the only SSLv2
// message read; anything after it ends the direction.
func (c *Conn) sslv2(d *direction, b []byte, ts int64) []byte {
	if len(d.msg) == 0 {
		d.msgTS = ts
	}
	if len(d.msg) < 2 {
		n := min(2-len(d.msg), len(b))
		d.msg = append(d.msg, b[:n]...)
		b = b[n:]
		if len(d.msg) < 2 {
			return b
		}
		d.need = 2 + (int(d.msg[0]&0x7f)<<8 | int(d.msg[1]))
	}
	n := min(d.need-len(d.msg), len(b))
	d.msg = append(d.msg, b[:n]...)
	b = b[n:]
	if len(d.msg) < d.need {
		return b
	}
	ch := &ClientHello{}
	if parseSSLv2Hello(d.msg[2:], ch) {
		c.counts.Add(ErrSSLv2)
		c.hs.Client = ch
		c.start(d.msgTS)
		c.hs.TS = d.msgTS
	} else {
		c.counts.Add(ErrNotTLS)
	}
	c.finish(d)
	return nil
}

// Gap reports n bytes missing from one direction. A gap inside a message
// being skipped is absorbed; anywhere else the direction stops, keeping
// what was decoded.
func (c *Conn) Gap(toServer bool, n int) {
	d := c.direction(toServer)
	if d.st == dsDone || n <= 0 {
		return
	}
	if d.st == dsBody && n <= d.remain && (d.typ != recordHandshake || n <= d.skip) {
		d.remain -= n
		if d.typ == recordHandshake {
			d.skip -= n
		}
		if d.remain == 0 {
			d.st = dsHeader
		}
		return
	}
	c.counts.Add(ErrGap)
	c.finish(d)
	c.maybeEmit()
}

// Close ends the connection; the handshake is emitted if one was seen.
func (c *Conn) Close(ts int64) {
	for i := range c.dir {
		c.finish(&c.dir[i])
	}
	c.maybeEmit()
}

func (c *Conn) maybeEmit() {
	if c.emitted || !c.Done() {
		return
	}
	c.emitted = true
	if !c.started {
		return
	}
	h := &Handshake{}
	*h = c.hs
	h.fill(c)
	c.emit(h)
}

// fill derives the named and fingerprint fields.
func (h *Handshake) fill(c *Conn) {
	if ch := h.Client; ch != nil {
		if ch.HasSNI {
			h.v.sni = text.String([]byte(ch.ServerName))
			h.ServerName = &h.v.sni
		}
		if ch.ALPN != nil {
			h.ClientALPN = make([]string, len(ch.ALPN))
			for i, p := range ch.ALPN {
				h.ClientALPN[i] = text.String([]byte(p))
			}
		}
		if !ch.SSLv2 {
			h.v.ja3str = JA3String(ch)
			h.v.ja3 = MD5Hex(h.v.ja3str)
			h.v.ja4 = JA4(ch, JA4TCP)
			h.JA3String, h.JA3, h.JA4 = &h.v.ja3str, &h.v.ja3, &h.v.ja4
		}
	}
	sh := h.Server
	if sh == nil {
		return
	}
	h.v.version = VersionName(sh.Negotiated())
	h.v.cipher = CipherName(sh.CipherSuite)
	h.Version, h.Cipher = &h.v.version, &h.v.cipher
	h.v.ja3sstr = JA3SString(sh)
	h.v.ja3s = MD5Hex(h.v.ja3sstr)
	h.JA3SString, h.JA3S = &h.v.ja3sstr, &h.v.ja3s
	switch {
	case sh.HasKeyShare:
		h.v.curve = CurveName(sh.KeyShareGroup)
		h.Curve = &h.v.curve
	case c.hasSKE:
		h.v.curve = CurveName(c.curveSKE)
		h.Curve = &h.v.curve
	}
	if sh.HasALPN {
		h.v.alpn = text.String([]byte(sh.ALPN))
		h.NextProtocol = &h.v.alpn
	}
	if sh.Negotiated() == VersionTLS13 {
		h.Resumed = sh.HasPSK
	} else {
		echoed := len(sh.SessionID) > 0 && h.Client != nil && string(sh.SessionID) == string(h.Client.SessionID)
		h.Resumed = echoed || c.serverCCSWithoutCert
	}
}
