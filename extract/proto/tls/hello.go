package tls

import "bytes"

// reader walks TLS wire structures; a short read sets bad and yields zeros,
// so parsers check bad once at the end instead of after every field.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) take(n int) []byte {
	if n < 0 || len(r.b) < n {
		r.bad = true
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8 {
	v := r.take(1)
	if v == nil {
		return 0
	}
	return v[0]
}

func (r *reader) u16() uint16 {
	v := r.take(2)
	if v == nil {
		return 0
	}
	return uint16(v[0])<<8 | uint16(v[1])
}

func (r *reader) u24() int {
	v := r.take(3)
	if v == nil {
		return 0
	}
	return int(v[0])<<16 | int(v[1])<<8 | int(v[2])
}

func (r *reader) vec8() []byte  { return r.take(int(r.u8())) }
func (r *reader) vec16() []byte { return r.take(int(r.u16())) }
func (r *reader) vec24() []byte { return r.take(r.u24()) }

// list16 decodes a list of 16-bit values; an odd length is malformed.
func list16(b []byte) ([]uint16, bool) {
	out := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		out = append(out, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return out, len(b)%2 == 0
}

// Extension types the parser reads.
const (
	extServerName          = 0
	extSupportedGroups     = 10
	extECPointFormats      = 11
	extSignatureAlgorithms = 13
	extALPN                = 16
	extPreSharedKey        = 41
	extSupportedVersions   = 43
	extKeyShare            = 51
)

// ClientHello is a decoded ClientHello. Lists hold the values as sent,
// GREASE included; a nil list means the extension carrying it was absent.
type ClientHello struct {
	// Version is legacy_version (the offered version for SSLv2 hellos).
	Version            uint16
	Random             []byte
	SessionID          []byte
	CipherSuites       []uint16
	CompressionMethods []uint8
	// Extensions lists extension types in order; empty, not nil, when the
	// hello has no extensions.
	Extensions []uint16
	// HasSNI is set when the server_name extension is present, even if it
	// holds no host name; ServerName is its first host_name, as sent.
	HasSNI              bool
	ServerName          string
	SupportedGroups     []uint16
	ECPointFormats      []uint8
	SignatureAlgorithms []uint16
	// ALPN holds the offered protocols as sent (raw bytes).
	ALPN              []string
	SupportedVersions []uint16
	KeyShareGroups    []uint16
	// SSLv2 marks an SSLv2-compatible hello: no extensions, and only the
	// cipher specs that name TLS suites are kept.
	SSLv2 bool
}

// ParseClientHello decodes the body of a ClientHello handshake message (the
// bytes after its 4-byte header). It reports false when the message is
// malformed; ch then holds what was decoded before the problem, and
// ch.Extensions is non-nil when everything up to the extensions was
// readable (the parts JA3 and JA4 cannot do without).
func ParseClientHello(body []byte, ch *ClientHello) bool {
	r := reader{b: body}
	ch.Version = r.u16()
	ch.Random = bytes.Clone(r.take(32))
	ch.SessionID = bytes.Clone(r.vec8())
	cs, ok := list16(r.vec16())
	ch.CipherSuites = cs
	ch.CompressionMethods = bytes.Clone(r.vec8())
	if r.bad || !ok {
		return false
	}
	ch.Extensions = []uint16{}
	if len(r.b) == 0 {
		return true
	}
	n := int(r.u16())
	exts := reader{b: r.b[:min(n, len(r.b))]}
	good := n <= len(r.b) && !r.bad
	for len(exts.b) > 0 {
		typ := exts.u16()
		data := exts.vec16()
		if exts.bad {
			// A truncated last extension: keep the ones before it, as
			// TShark does when it fingerprints such a hello.
			return false
		}
		ch.Extensions = append(ch.Extensions, typ)
		if !ch.extension(typ, data) {
			good = false
		}
	}
	return good
}

func (ch *ClientHello) extension(typ uint16, data []byte) bool {
	e := reader{b: data}
	ok := true
	switch typ {
	case extServerName:
		ch.HasSNI = true
		list := reader{b: e.vec16()}
		for len(list.b) > 0 && !list.bad {
			kind := list.u8()
			name := list.vec16()
			if kind == 0 && ch.ServerName == "" && !list.bad {
				ch.ServerName = string(name)
			}
		}
		ok = !list.bad
	case extSupportedGroups:
		ch.SupportedGroups, ok = list16(e.vec16())
	case extECPointFormats:
		ch.ECPointFormats = bytes.Clone(e.vec8())
		if ch.ECPointFormats == nil {
			ch.ECPointFormats = []uint8{}
		}
	case extSignatureAlgorithms:
		ch.SignatureAlgorithms, ok = list16(e.vec16())
	case extALPN:
		list := reader{b: e.vec16()}
		ch.ALPN = []string{}
		for len(list.b) > 0 && !list.bad {
			p := list.vec8()
			if !list.bad {
				ch.ALPN = append(ch.ALPN, string(p))
			}
		}
		ok = !list.bad
	case extSupportedVersions:
		ch.SupportedVersions, ok = list16(e.vec8())
	case extKeyShare:
		list := reader{b: e.vec16()}
		ch.KeyShareGroups = []uint16{}
		for len(list.b) > 0 && !list.bad {
			g := list.u16()
			list.vec16()
			if !list.bad {
				ch.KeyShareGroups = append(ch.KeyShareGroups, g)
			}
		}
		ok = !list.bad
	default:
		return true
	}
	return ok && !e.bad
}

// parseSSLv2Hello decodes an SSLv2-compatible CLIENT-HELLO body (after the
// two-byte record header), keeping the cipher specs that name TLS suites.
func parseSSLv2Hello(body []byte, ch *ClientHello) bool {
	r := reader{b: body}
	if r.u8() != 1 {
		return false
	}
	ch.SSLv2 = true
	ch.Version = r.u16()
	specLen := int(r.u16())
	sidLen := int(r.u16())
	chalLen := int(r.u16())
	specs := r.take(specLen)
	ch.SessionID = bytes.Clone(r.take(sidLen))
	ch.Random = bytes.Clone(r.take(chalLen))
	if r.bad || specLen%3 != 0 {
		return false
	}
	ch.CipherSuites = []uint16{}
	for i := 0; i+2 < len(specs); i += 3 {
		if specs[i] == 0 {
			ch.CipherSuites = append(ch.CipherSuites, uint16(specs[i+1])<<8|uint16(specs[i+2]))
		}
	}
	return true
}

// ServerHello is a decoded ServerHello.
type ServerHello struct {
	// Version is legacy_version; SelectedVersion is the supported_versions
	// extension's value, 0 when absent.
	Version         uint16
	SelectedVersion uint16
	Random          []byte
	SessionID       []byte
	CipherSuite     uint16
	Compression     uint8
	// Extensions lists extension types in order; empty when none.
	Extensions []uint16
	// HasALPN and ALPN give the protocol the server chose, as sent.
	HasALPN bool
	ALPN    string
	// HasKeyShare and KeyShareGroup give the group of the server's share
	// (or, in a HelloRetryRequest, the group it asks for).
	HasKeyShare   bool
	KeyShareGroup uint16
	// HasPSK is set when the server accepted a pre-shared key (TLS 1.3
	// resumption).
	HasPSK bool
	// HelloRetry marks a HelloRetryRequest (RFC 8446 section 4.1.3).
	HelloRetry bool
}

// Negotiated returns the version the server chose: supported_versions
// when present, else legacy_version.
func (sh *ServerHello) Negotiated() uint16 {
	if sh.SelectedVersion != 0 {
		return sh.SelectedVersion
	}
	return sh.Version
}

// helloRetryRandom is SHA-256("HelloRetryRequest"), the Random of a
// HelloRetryRequest.
var helloRetryRandom = []byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// ParseServerHello decodes the body of a ServerHello handshake message.
func ParseServerHello(body []byte, sh *ServerHello) bool {
	r := reader{b: body}
	sh.Version = r.u16()
	sh.Random = bytes.Clone(r.take(32))
	sh.SessionID = bytes.Clone(r.vec8())
	sh.CipherSuite = r.u16()
	sh.Compression = r.u8()
	if r.bad {
		return false
	}
	sh.HelloRetry = bytes.Equal(sh.Random, helloRetryRandom)
	sh.Extensions = []uint16{}
	if len(r.b) == 0 {
		return true
	}
	exts := reader{b: r.vec16()}
	if r.bad {
		return false
	}
	for len(exts.b) > 0 {
		typ := exts.u16()
		data := exts.vec16()
		if exts.bad {
			return false
		}
		sh.Extensions = append(sh.Extensions, typ)
		e := reader{b: data}
		switch typ {
		case extSupportedVersions:
			sh.SelectedVersion = e.u16()
		case extALPN:
			list := reader{b: e.vec16()}
			p := list.vec8()
			if !list.bad {
				sh.HasALPN, sh.ALPN = true, string(p)
			}
		case extKeyShare:
			sh.KeyShareGroup = e.u16()
			sh.HasKeyShare = !e.bad
		case extPreSharedKey:
			sh.HasPSK = true
		}
	}
	return true
}

// withoutGREASE returns v without GREASE values; it shares nothing with v.
func withoutGREASE(v []uint16) []uint16 {
	out := make([]uint16, 0, len(v))
	for _, x := range v {
		if !isGREASE(x) {
			out = append(out, x)
		}
	}
	return out
}
