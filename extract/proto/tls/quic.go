package tls

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
)

// QUIC versions whose Initial packets QUICInitial decrypts.
const (
	QUICv1 = 0x00000001
	QUICv2 = 0x6b3343cf
)

// Initial salts (RFC 9001 section 5.2, RFC 9369 section 3.3.1, and the
// drafts before them).
var (
	saltV1      = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2      = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	saltDraft29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	saltDraft23 = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
	saltDraft22 = []byte{0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a}
	// Google's QUIC-with-TLS versions T050 and T051.
	saltT050 = []byte{0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10}
	saltT051 = []byte{0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d}
)

// quicSalt returns the Initial salt and label prefix of a version, or nil
// for versions whose Initials this package cannot decrypt (Google QUIC
// with its own crypto handshake, drafts before 22, unknown versions).
func quicSalt(v uint32) (salt []byte, prefix string) {
	switch {
	case v == QUICv1:
		return saltV1, "quic "
	case v == QUICv2:
		return saltV2, "quicv2 "
	case v >= 0xff00001d && v <= 0xff000022: // drafts 29 to 34
		if v >= 0xff000021 {
			return saltV1, "quic "
		}
		return saltDraft29, "quic "
	case v >= 0xff000017 && v <= 0xff00001c: // drafts 23 to 28
		return saltDraft23, "quic "
	case v == 0xfaceb002 || v == 0xfaceb00e: // mvfst, draft 27 keys
		return saltDraft23, "quic "
	case v == 0xfaceb001: // mvfst, draft 22 keys
		return saltDraft22, "quic "
	case v == 0x54303530: // T050
		return saltT050, "quic "
	case v == 0x54303531: // T051
		return saltT051, "quic "
	}
	return nil, ""
}

// hkdfExpandLabel is TLS 1.3's HKDF-Expand-Label with an empty context.
func hkdfExpandLabel(secret []byte, label string, n int) []byte {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	out, err := hkdf.Expand(sha256.New, secret, string(info), n)
	if err != nil {
		// Only lengths beyond 255 hash blocks fail; ours are constants.
		return make([]byte, n)
	}
	return out
}

func hkdfExtract(secret, salt []byte) ([]byte, error) {
	return hkdf.Extract(sha256.New, secret, salt)
}

type initialKeys struct {
	aead cipher.AEAD
	iv   []byte
	hp   cipher.Block
}

func clientInitialKeys(version uint32, dcid []byte) (*initialKeys, bool) {
	salt, prefix := quicSalt(version)
	if salt == nil {
		return nil, false
	}
	initial, err := hkdfExtract(dcid, salt)
	if err != nil {
		return nil, false
	}
	secret := hkdfExpandLabel(initial, "client in", 32)
	key := hkdfExpandLabel(secret, prefix+"key", 16)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false
	}
	hp, err := aes.NewCipher(hkdfExpandLabel(secret, prefix+"hp", 16))
	if err != nil {
		return nil, false
	}
	return &initialKeys{aead: aead, iv: hkdfExpandLabel(secret, prefix+"iv", 12), hp: hp}, true
}

// varint reads a QUIC variable-length integer (RFC 9000 section 16).
func varint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	n := 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0
	}
	v := uint64(b[0] & 0x3f)
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	return v, n
}

// maxCrypto bounds the CRYPTO stream a QUICInitial buffers.
const maxCrypto = 64 << 10

// QUICInitial recovers the ClientHello of one QUIC connection from the
// client's Initial packets: it removes header protection, decrypts them
// with the keys RFC 9001 derives from the client's first Destination
// Connection ID, and reassembles their CRYPTO frames, which clients send
// split, out of order and spread over several packets. The zero value is
// ready to use; feed it the client-to-server UDP payloads of a flow.
type QUICInitial struct {
	keys    *initialKeys
	version uint32
	crypto  []byte
	have    []span // filled ranges of crypto, sorted
	hello   *ClientHello
	done    bool
	counts  Counts
	scratch []byte
}

type span struct{ lo, hi int }

// Problems returns the problems counted so far.
func (q *QUICInitial) Problems() *Counts { return &q.counts }

// Version is the QUIC version of the first Initial seen, 0 before one.
func (q *QUICInitial) Version() uint32 { return q.version }

// Hello returns the decoded ClientHello once complete, or nil.
func (q *QUICInitial) Hello() *ClientHello { return q.hello }

// Datagram feeds one client-to-server UDP payload and reports whether the
// ClientHello is now complete. Coalesced packets are walked; packets that
// are not client Initials are ignored.
func (q *QUICInitial) Datagram(b []byte) bool {
	for !q.done && len(b) > 0 {
		n := q.packet(b)
		if n <= 0 {
			break
		}
		b = b[n:]
	}
	return q.done
}

// packet handles one long-header packet and returns its length, or 0 when
// the rest of the datagram cannot be walked.
func (q *QUICInitial) packet(b []byte) int {
	if len(b) < 7 || b[0]&0x80 == 0 {
		return 0
	}
	version := binary.BigEndian.Uint32(b[1:])
	if salt, _ := quicSalt(version); salt == nil {
		q.counts.Add(ErrQUICVersion)
		return 0
	}
	typ := b[0] >> 4 & 3
	initial := (version != QUICv2 && typ == 0) || (version == QUICv2 && typ == 1)
	off := 5
	dcidLen := int(b[off])
	off++
	if off+dcidLen+1 > len(b) || dcidLen > 20 {
		return 0
	}
	dcid := b[off : off+dcidLen]
	off += dcidLen
	scidLen := int(b[off])
	off += 1 + scidLen
	if off > len(b) {
		return 0
	}
	if initial {
		tokLen, n := varint(b[off:])
		if n == 0 || uint64(len(b)-off-n) < tokLen {
			return 0
		}
		off += n + int(tokLen)
	}
	length, n := varint(b[off:])
	if n == 0 || uint64(len(b)-off-n) < length {
		return 0
	}
	off += n
	end := off + int(length)
	if !initial {
		return end
	}
	if q.keys == nil || q.version != version {
		k, ok := clientInitialKeys(version, dcid)
		if !ok {
			return end
		}
		q.keys, q.version = k, version
	}
	payload, ok := q.open(b[:end], off, q.keys)
	if !ok && len(dcid) > 0 {
		// After a Retry the client derives new keys from the new DCID.
		if k, ok2 := clientInitialKeys(version, dcid); ok2 {
			if p, ok3 := q.open(b[:end], off, k); ok3 {
				q.keys, payload, ok = k, p, true
			}
		}
	}
	if !ok {
		q.counts.Add(ErrQUICDecrypt)
		return end
	}
	q.frames(payload)
	return end
}

// open removes header protection (RFC 9001 section 5.4) and decrypts the
// packet in a copy, leaving the datagram untouched.
func (q *QUICInitial) open(pkt []byte, pnOff int, k *initialKeys) ([]byte, bool) {
	if pnOff+4+16 > len(pkt) {
		return nil, false
	}
	q.scratch = append(q.scratch[:0], pkt...)
	p := q.scratch
	var mask [16]byte
	k.hp.Encrypt(mask[:], p[pnOff+4:pnOff+4+16])
	p[0] ^= mask[0] & 0x0f
	pnLen := int(p[0]&3) + 1
	var pn uint64
	for i := range pnLen {
		p[pnOff+i] ^= mask[1+i]
		pn = pn<<8 | uint64(p[pnOff+i])
	}
	nonce := make([]byte, len(k.iv))
	copy(nonce, k.iv)
	for i := range 8 {
		nonce[len(nonce)-1-i] ^= byte(pn >> (8 * i))
	}
	hdr := p[:pnOff+pnLen]
	out, err := k.aead.Open(p[pnOff+pnLen:pnOff+pnLen], nonce, p[pnOff+pnLen:], hdr)
	return out, err == nil
}

// frames walks the frames of a decrypted Initial, keeping CRYPTO data.
// Google's T050 and T051 number the CRYPTO frame 0x08 instead of 0x06.
func (q *QUICInitial) frames(p []byte) {
	crypto := byte(0x06)
	if q.version == 0x54303530 || q.version == 0x54303531 {
		crypto = 0x08
	}
	for len(p) > 0 {
		switch typ := p[0]; {
		case typ == 0x00 || typ == 0x01: // PADDING, PING
			p = p[1:]
		case typ == 0x02 || typ == 0x03: // ACK
			r := p[1:]
			var ok bool
			if r, ok = skipVarints(r, 3); !ok {
				return
			}
			ranges, n := varint(r)
			if n == 0 || ranges > uint64(len(r)) {
				return
			}
			if r, ok = skipVarints(r[n:], int(2*ranges)); !ok {
				return
			}
			if typ == 0x03 {
				if r, ok = skipVarints(r, 3); !ok {
					return
				}
			}
			p = r
		case typ == crypto:
			off, n1 := varint(p[1:])
			l, n2 := varint(p[1+n1:])
			start := 1 + n1 + n2
			if n1 == 0 || n2 == 0 || uint64(len(p)-start) < l {
				return
			}
			q.cryptoData(off, p[start:start+int(l)])
			p = p[start+int(l):]
		default:
			// CONNECTION_CLOSE and anything unexpected end the packet.
			return
		}
	}
}

func skipVarints(b []byte, k int) ([]byte, bool) {
	for range k {
		_, n := varint(b)
		if n == 0 {
			return nil, false
		}
		b = b[n:]
	}
	return b, true
}

// cryptoData places one CRYPTO frame and parses the ClientHello once the
// stream holds all of it.
func (q *QUICInitial) cryptoData(off uint64, data []byte) {
	if off >= maxCrypto || len(data) == 0 {
		return
	}
	lo := int(off)
	hi := min(lo+len(data), maxCrypto)
	if len(q.crypto) < hi {
		q.crypto = append(q.crypto, make([]byte, hi-len(q.crypto))...)
	}
	copy(q.crypto[lo:hi], data)
	q.have = append(q.have, span{lo, hi})
	// Merge the filled ranges; there are only ever a few.
	for i := 1; i < len(q.have); i++ {
		for j := i; j > 0 && q.have[j].lo < q.have[j-1].lo; j-- {
			q.have[j], q.have[j-1] = q.have[j-1], q.have[j]
		}
	}
	merged := q.have[:1]
	for _, s := range q.have[1:] {
		last := &merged[len(merged)-1]
		if s.lo <= last.hi {
			last.hi = max(last.hi, s.hi)
		} else {
			merged = append(merged, s)
		}
	}
	q.have = merged
	if q.have[0].lo != 0 || q.have[0].hi < 4 {
		return
	}
	contiguous := q.have[0].hi
	if q.crypto[0] != hsClientHello {
		q.counts.Add(ErrBadHandshake)
		q.done = true
		return
	}
	need := 4 + (int(q.crypto[1])<<16 | int(q.crypto[2])<<8 | int(q.crypto[3]))
	if need > maxCrypto {
		q.counts.Add(ErrMessageTooLarge)
		q.done = true
		return
	}
	if contiguous < need {
		return
	}
	ch := &ClientHello{}
	if !ParseClientHello(q.crypto[4:need], ch) {
		q.counts.Add(ErrBadHandshake)
		if ch.Extensions == nil {
			q.done = true
			return
		}
	}
	q.hello = ch
	q.done = true
}

// QUICHandshake turns a ClientHello recovered from QUIC Initials into a
// tls.parquet row: SNI, offered ALPN, JA3 and a JA4 with the "q" marker.
// The server's ServerHello travels in its own Initial, under keys derived
// the same way; this package does not decrypt it yet, so the server fields
// stay nil.
func QUICHandshake(ch *ClientHello, ts int64) *Handshake {
	h := &Handshake{TS: ts, Client: ch}
	c := &Conn{}
	h.fill(c)
	h.v.ja4 = JA4(ch, JA4QUIC)
	return h
}
