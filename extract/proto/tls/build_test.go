package tls

// Test builders for TLS wire structures.

func be16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

func vec8(b []byte) []byte  { return append([]byte{byte(len(b))}, b...) }
func vec16(b []byte) []byte { return append(be16(uint16(len(b))), b...) }
func vec24(b []byte) []byte {
	return append([]byte{byte(len(b) >> 16), byte(len(b) >> 8), byte(len(b))}, b...)
}

func join(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func u16s(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = append(b, be16(v)...)
	}
	return b
}

// ext is one extension with its data.
type ext struct {
	typ  uint16
	data []byte
}

func sniExt(name string) ext {
	return ext{extServerName, vec16(join([]byte{0}, vec16([]byte(name))))}
}
func groupsExt(gs ...uint16) ext   { return ext{extSupportedGroups, vec16(u16s(gs...))} }
func pointsExt(ps ...byte) ext     { return ext{extECPointFormats, vec8(ps)} }
func sigalgsExt(ss ...uint16) ext  { return ext{extSignatureAlgorithms, vec16(u16s(ss...))} }
func versionsExt(vs ...uint16) ext { return ext{extSupportedVersions, vec8(u16s(vs...))} }
func emptyExt(t uint16) ext        { return ext{t, nil} }
func alpnExt(protos ...string) ext {
	var l []byte
	for _, p := range protos {
		l = append(l, vec8([]byte(p))...)
	}
	return ext{extALPN, vec16(l)}
}
func keyShareExt(groups ...uint16) ext {
	var l []byte
	for _, g := range groups {
		l = append(l, join(be16(g), vec16(make([]byte, 32)))...)
	}
	return ext{extKeyShare, vec16(l)}
}

// clientHello builds a ClientHello body; exts nil means no extension block.
func clientHello(version uint16, sid []byte, ciphers []uint16, exts []ext) []byte {
	b := join(be16(version), make([]byte, 32), vec8(sid), vec16(u16s(ciphers...)), vec8([]byte{0}))
	if exts != nil {
		var e []byte
		for _, x := range exts {
			e = append(e, join(be16(x.typ), vec16(x.data))...)
		}
		b = append(b, vec16(e)...)
	}
	return b
}

// serverHello builds a ServerHello body.
func serverHello(version uint16, random, sid []byte, cipher uint16, exts []ext) []byte {
	if random == nil {
		random = make([]byte, 32)
		random[0] = 1
	}
	b := join(be16(version), random, vec8(sid), be16(cipher), []byte{0})
	if exts != nil {
		var e []byte
		for _, x := range exts {
			e = append(e, join(be16(x.typ), vec16(x.data))...)
		}
		b = append(b, vec16(e)...)
	}
	return b
}

// hsMsg wraps a body in a handshake message header.
func hsMsg(typ byte, body []byte) []byte { return join([]byte{typ}, vec24(body)) }

// record wraps a payload in a TLS record header.
func record(typ byte, version uint16, payload []byte) []byte {
	return join([]byte{typ}, be16(version), vec16(payload))
}

// certificateMsg builds a Certificate message body from DER certificates.
func certificateMsg(ders ...[]byte) []byte {
	var l []byte
	for _, d := range ders {
		l = append(l, vec24(d)...)
	}
	return vec24(l)
}
