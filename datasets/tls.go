package datasets

import (
	"encoding/binary"
	"math/rand/v2"
)

// tlsFlavor is a client TLS stack, which decides the ClientHello.
type tlsFlavor uint8

const (
	tlsChrome tlsFlavor = iota // also Edge
	tlsFirefox
	tlsSafari
	tlsCurl     // OpenSSL 3
	tlsSchannel // Windows system services, TLS 1.2
)

var greaseValues = [16]uint16{0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
	0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa}

// Named groups.
const (
	groupX25519      = 0x001d
	groupP256        = 0x0017
	groupX25519MLKEM = 0x11ec
)

type tlsExt struct {
	typ  uint16
	data []byte
}

func u16s(vs ...uint16) []byte {
	b := make([]byte, 0, 2*len(vs))
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

// vec prefixes b with its length in n bytes.
func vec(n int, b []byte) []byte {
	out := make([]byte, 0, n+len(b))
	switch n {
	case 1:
		out = append(out, byte(len(b)))
	case 2:
		out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
	case 3:
		out = append(out, byte(len(b)>>16), byte(len(b)>>8), byte(len(b)))
	}
	return append(out, b...)
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func alpnExt(protos ...string) []byte {
	var l []byte
	for _, p := range protos {
		l = append(l, byte(len(p)))
		l = append(l, p...)
	}
	return vec(2, l)
}

func sniExt(name string) []byte {
	e := append([]byte{0}, vec(2, []byte(name))...)
	return vec(2, e)
}

func keyShare(r *rand.Rand, groups ...uint16) []byte {
	var l []byte
	for _, g := range groups {
		n := 32
		switch {
		case g&0x0f0f == 0x0a0a:
			n = 1
		case g == groupX25519MLKEM:
			n = 1216
		case g == groupP256:
			n = 65
		}
		k := noiseBytes(r, n)
		if g&0x0f0f == 0x0a0a {
			k[0] = 0
		}
		if g == groupP256 {
			k[0] = 4
		}
		l = binary.BigEndian.AppendUint16(l, g)
		l = append(l, vec(2, k)...)
	}
	return vec(2, l)
}

// clientHello returns the TLS record carrying a ClientHello of the given
// stack for sni; alpn offers h2 and http/1.1.
func clientHello(r *rand.Rand, fl tlsFlavor, sni string, alpn bool) []byte {
	g1 := greaseValues[r.IntN(16)]
	g2 := greaseValues[r.IntN(16)]
	for g2 == g1 {
		g2 = greaseValues[r.IntN(16)]
	}
	var ciphers []uint16
	var exts []tlsExt
	sigs := u16s(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)
	sessionID := randBytes(r, 32)
	legacy := uint16(0x0303)
	switch fl {
	case tlsChrome:
		ciphers = []uint16{g1, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
			0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
		mid := []tlsExt{
			{0x0000, sniExt(sni)},
			{0x0017, nil},
			{0xff01, []byte{0}},
			{0x000a, vec(2, u16s(g2, groupX25519MLKEM, groupX25519, groupP256, 0x0018))},
			{0x000b, []byte{1, 0}},
			{0x0023, nil},
			{0x0005, []byte{1, 0, 0, 0, 0}},
			{0x000d, vec(2, sigs)},
			{0x0012, nil},
			{0x0033, keyShare(r, g2, groupX25519MLKEM, groupX25519)},
			{0x002d, []byte{1, 1}},
			{0x002b, vec(1, u16s(greaseValues[r.IntN(16)], 0x0304, 0x0303))},
			{0x001b, vec(1, u16s(0x0002))},
			{0x44cd, vec(2, append([]byte{2}, "h2"...))},
			{0xfe0d, echGrease(r)},
		}
		if alpn {
			mid = append(mid, tlsExt{0x0010, alpnExt("h2", "http/1.1")})
		}
		// Chrome shuffles its extensions on every connection.
		r.Shuffle(len(mid), func(i, j int) { mid[i], mid[j] = mid[j], mid[i] })
		exts = append([]tlsExt{{greaseValues[r.IntN(16)], nil}}, mid...)
		exts = append(exts, tlsExt{greaseValues[r.IntN(16)], []byte{0}})
	case tlsFirefox:
		ciphers = []uint16{0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a,
			0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
		exts = []tlsExt{
			{0x0000, sniExt(sni)},
			{0x0017, nil},
			{0xff01, []byte{0}},
			{0x000a, vec(2, u16s(groupX25519MLKEM, groupX25519, groupP256, 0x0018, 0x0019, 0x0100, 0x0101))},
			{0x000b, []byte{1, 0}},
			{0x0023, nil},
		}
		if alpn {
			exts = append(exts, tlsExt{0x0010, alpnExt("h2", "http/1.1")})
		}
		exts = append(exts,
			tlsExt{0x0005, []byte{1, 0, 0, 0, 0}},
			tlsExt{0x0022, vec(2, u16s(0x0403, 0x0503, 0x0603, 0x0203))},
			tlsExt{0x0012, nil},
			tlsExt{0x0033, keyShare(r, groupX25519MLKEM, groupX25519, groupP256)},
			tlsExt{0x002b, vec(1, u16s(0x0304, 0x0303))},
			tlsExt{0x000d, vec(2, u16s(0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
				0x0203, 0x0201))},
			tlsExt{0x002d, []byte{1, 1}},
			tlsExt{0x001c, []byte{0x40, 0x01}},
			tlsExt{0x001b, vec(1, u16s(0x0001, 0x0002, 0x0003))},
			tlsExt{0xfe0d, echGrease(r)},
		)
	case tlsSafari:
		ciphers = []uint16{g1, 0x1301, 0x1302, 0x1303, 0xc02c, 0xc02b, 0xcca9, 0xc030, 0xc02f, 0xcca8,
			0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x0035, 0x002f, 0xc008, 0xc012, 0x000a}
		exts = []tlsExt{
			{greaseValues[r.IntN(16)], nil},
			{0x0000, sniExt(sni)},
			{0x0017, nil},
			{0xff01, []byte{0}},
			{0x000a, vec(2, u16s(g2, groupX25519, groupP256, 0x0018, 0x0019))},
			{0x000b, []byte{1, 0}},
		}
		if alpn {
			exts = append(exts, tlsExt{0x0010, alpnExt("h2", "http/1.1")})
		}
		exts = append(exts,
			tlsExt{0x0005, []byte{1, 0, 0, 0, 0}},
			tlsExt{0x000d, vec(2, u16s(0x0403, 0x0804, 0x0401, 0x0503, 0x0203, 0x0805, 0x0805, 0x0501, 0x0806,
				0x0601, 0x0201))},
			tlsExt{0x0012, nil},
			tlsExt{0x0033, keyShare(r, g2, groupX25519)},
			tlsExt{0x002d, []byte{1, 1}},
			tlsExt{0x002b, vec(1, u16s(greaseValues[r.IntN(16)], 0x0304, 0x0303, 0x0302, 0x0301))},
			tlsExt{0x001b, vec(1, u16s(0x0001))},
			tlsExt{greaseValues[r.IntN(16)], []byte{0}},
		)
	case tlsCurl:
		ciphers = []uint16{0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b,
			0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009,
			0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff}
		exts = []tlsExt{
			{0x0000, sniExt(sni)},
			{0x000b, []byte{3, 0, 1, 2}},
			{0x000a, vec(2, u16s(groupX25519, groupP256, 0x001e, 0x0019, 0x0018))},
			{0x0023, nil},
		}
		if alpn {
			exts = append(exts, tlsExt{0x0010, alpnExt("h2", "http/1.1")})
		}
		exts = append(exts,
			tlsExt{0x0016, nil},
			tlsExt{0x0017, nil},
			tlsExt{0x000d, vec(2, u16s(0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804,
				0x0805, 0x0806, 0x0401, 0x0501, 0x0601))},
			tlsExt{0x002b, vec(1, u16s(0x0304, 0x0303))},
			tlsExt{0x002d, []byte{1, 1}},
			tlsExt{0x0033, keyShare(r, groupX25519)},
		)
	case tlsSchannel:
		sessionID = nil
		ciphers = []uint16{0xc02c, 0xc02b, 0xc030, 0xc02f, 0xc024, 0xc023, 0xc028, 0xc027, 0xc00a, 0xc009,
			0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a}
		exts = []tlsExt{
			{0x0000, sniExt(sni)},
			{0x0005, []byte{1, 0, 0, 0, 0}},
			{0x000a, vec(2, u16s(groupX25519, groupP256, 0x0018))},
			{0x000b, []byte{1, 0}},
			{0x000d, vec(2, u16s(0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203,
				0x0202, 0x0601, 0x0603))},
			{0x0023, nil},
		}
		if alpn {
			exts = append(exts, tlsExt{0x0010, alpnExt("h2", "http/1.1")})
		}
		exts = append(exts, tlsExt{0x0017, nil}, tlsExt{0xff01, []byte{0}})
	}

	body := binary.BigEndian.AppendUint16(nil, legacy)
	body = append(body, randBytes(r, 32)...)
	body = append(body, vec(1, sessionID)...)
	body = append(body, vec(2, u16s(ciphers...))...)
	body = append(body, 1, 0)
	var eb []byte
	for _, e := range exts {
		eb = binary.BigEndian.AppendUint16(eb, e.typ)
		eb = append(eb, vec(2, e.data)...)
	}
	if fl == tlsSafari || fl == tlsChrome && len(eb) < 400 {
		// BoringSSL-style padding to dodge F5 bugs: up to 512 bytes.
		if hl := 4 + len(body) + 2 + len(eb); hl < 508 {
			eb = binary.BigEndian.AppendUint16(eb, 0x0015)
			eb = append(eb, vec(2, make([]byte, 508-hl))...)
		}
	}
	body = append(body, vec(2, eb)...)
	return tlsRecordOf(0x16, 0x0301, handshake(1, body))
}

// echGrease is a GREASE encrypted_client_hello extension.
func echGrease(r *rand.Rand) []byte {
	b := []byte{0, 0, 1, 0, 1, byte(r.IntN(256))}
	b = append(b, vec(2, randBytes(r, 32))...)
	return append(b, vec(2, noiseBytes(r, 144+32*r.IntN(4)))...)
}

func handshake(typ byte, body []byte) []byte {
	return append([]byte{typ}, vec(3, body)...)
}

func tlsRecordOf(ct byte, ver uint16, frag []byte) []byte {
	b := []byte{ct, byte(ver >> 8), byte(ver)}
	return append(b, vec(2, frag)...)
}

// tlsServer is what a server negotiates.
type tlsServer struct {
	tls12 bool
	pq    bool // answers an X25519MLKEM768 key share
	alpn  bool
	certs [][]byte // DER chain, leaf first (TLS 1.2 only)
}

// serverHello13 returns the server's first flight of a TLS 1.3 handshake:
// ServerHello, the middlebox-compatibility ChangeCipherSpec and one
// encrypted record standing for EncryptedExtensions..Finished.
func serverHello13(r *rand.Rand, s tlsServer, clientPQ bool, sessionID []byte) []byte {
	group, n := uint16(groupX25519), 32
	if s.pq && clientPQ {
		group, n = groupX25519MLKEM, 1120
	}
	ks := binary.BigEndian.AppendUint16(nil, group)
	ks = append(ks, vec(2, noiseBytes(r, n))...)
	var eb []byte
	eb = binary.BigEndian.AppendUint16(eb, 0x0033)
	eb = append(eb, vec(2, ks)...)
	eb = binary.BigEndian.AppendUint16(eb, 0x002b)
	eb = append(eb, vec(2, u16s(0x0304))...)
	body := binary.BigEndian.AppendUint16(nil, 0x0303)
	body = append(body, randBytes(r, 32)...)
	body = append(body, vec(1, sessionID)...)
	body = binary.BigEndian.AppendUint16(body, 0x1301+uint16(r.IntN(2)))
	body = append(body, 0)
	body = append(body, vec(2, eb)...)
	out := tlsRecordOf(0x16, 0x0303, handshake(2, body))
	out = append(out, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01)
	return append(out, encRecord(r, 2400+r.IntN(2600))...)
}

// encRecord is an application-data record of n ciphertext bytes.
func encRecord(r *rand.Rand, n int) []byte {
	return tlsRecordOf(0x17, 0x0303, noiseBytes(r, n))
}

// clientFinished13 is the client's ChangeCipherSpec and encrypted Finished.
func clientFinished13(r *rand.Rand) []byte {
	return append([]byte{0x14, 0x03, 0x03, 0x00, 0x01, 0x01}, encRecord(r, 53)...)
}

// serverHello12 returns ServerHello, Certificate, ServerKeyExchange and
// ServerHelloDone of an ECDHE-RSA TLS 1.2 handshake.
func serverHello12(r *rand.Rand, s tlsServer, sessionID []byte) []byte {
	var eb []byte
	eb = binary.BigEndian.AppendUint16(eb, 0xff01)
	eb = append(eb, vec(2, []byte{0})...)
	eb = binary.BigEndian.AppendUint16(eb, 0x000b)
	eb = append(eb, vec(2, []byte{3, 0, 1, 2})...)
	eb = binary.BigEndian.AppendUint16(eb, 0x0023)
	eb = append(eb, 0, 0)
	if s.alpn {
		eb = binary.BigEndian.AppendUint16(eb, 0x0010)
		eb = append(eb, vec(2, alpnExt("h2"))...)
	}
	eb = binary.BigEndian.AppendUint16(eb, 0x0017)
	eb = append(eb, 0, 0)
	body := binary.BigEndian.AppendUint16(nil, 0x0303)
	body = append(body, randBytes(r, 32)...)
	body = append(body, vec(1, sessionID)...)
	body = binary.BigEndian.AppendUint16(body, 0xc02f)
	body = append(body, 0)
	body = append(body, vec(2, eb)...)
	out := tlsRecordOf(0x16, 0x0303, handshake(2, body))

	var chain []byte
	for _, c := range s.certs {
		chain = append(chain, vec(3, c)...)
	}
	out = append(out, tlsRecordOf(0x16, 0x0303, handshake(11, vec(3, chain)))...)

	ske := []byte{3, 0x00, 0x1d}
	ske = append(ske, vec(1, randBytes(r, 32))...)
	ske = binary.BigEndian.AppendUint16(ske, 0x0804)
	ske = append(ske, vec(2, noiseBytes(r, 256))...)
	out = append(out, tlsRecordOf(0x16, 0x0303, handshake(12, ske))...)
	return append(out, tlsRecordOf(0x16, 0x0303, handshake(14, nil))...)
}

// clientFinished12 is ClientKeyExchange, ChangeCipherSpec and the
// encrypted Finished.
func clientFinished12(r *rand.Rand) []byte {
	out := tlsRecordOf(0x16, 0x0303, handshake(16, vec(1, randBytes(r, 32))))
	out = append(out, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01)
	return append(out, tlsRecordOf(0x16, 0x0303, randBytes(r, 40))...)
}

// serverFinished12 is NewSessionTicket, ChangeCipherSpec and Finished.
func serverFinished12(r *rand.Rand) []byte {
	t := binary.BigEndian.AppendUint32(nil, 7200)
	t = append(t, vec(2, noiseBytes(r, 192))...)
	out := tlsRecordOf(0x16, 0x0303, handshake(4, t))
	out = append(out, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01)
	return append(out, tlsRecordOf(0x16, 0x0303, randBytes(r, 40))...)
}

// tlsPrelude returns the handshake messages of a TLS connection, the bytes
// the client puts before its first request (the TLS 1.3 Finished flight)
// and those the server puts before its first response (TLS 1.3 session
// tickets).
func tlsPrelude(r *rand.Rand, fl tlsFlavor, sni string, s tlsServer) (msgs []message, clientPre, serverPre []byte) {
	ch := clientHello(r, fl, sni, s.alpn || fl != tlsSchannel)
	// session_id sits after record (5), handshake (4), version (2), random (32).
	sid := ch[44 : 44+int(ch[43])]
	clientPQ := fl == tlsChrome || fl == tlsFirefox
	msgs = append(msgs, message{from: 0, delay: 150*us + r.Int64N(int64(600*us)), head: ch})
	proc := 300*us + r.Int64N(int64(2*ms))
	if s.tls12 || fl == tlsSchannel {
		msgs = append(msgs,
			message{from: 1, delay: proc, head: serverHello12(r, s, sid)},
			message{from: 0, delay: 200*us + r.Int64N(int64(800*us)), head: clientFinished12(r)},
			message{from: 1, delay: 200*us + r.Int64N(int64(500*us)), head: serverFinished12(r)},
		)
		return msgs, nil, nil
	}
	msgs = append(msgs, message{from: 1, delay: proc, head: serverHello13(r, s, clientPQ, sid)})
	return msgs, clientFinished13(r), append(encRecord(r, 230+r.IntN(30)), encRecord(r, 230+r.IntN(30))...)
}
