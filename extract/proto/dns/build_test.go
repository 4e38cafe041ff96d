package dns

import (
	"encoding/binary"
	"strings"
)

// wire encodes a dotted name in uncompressed wire format.
func wire(name string) []byte {
	var b []byte
	if name != "" {
		for _, l := range strings.Split(name, ".") {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
	}
	return append(b, 0)
}

// ptr is a compression pointer to off.
func ptr(off int) []byte { return []byte{0xc0 | byte(off>>8), byte(off)} }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// header builds a 12-byte header.
func header(id, flags, qd, an, ns, ar uint16) []byte {
	return cat(u16(id), u16(flags), u16(qd), u16(an), u16(ns), u16(ar))
}

// question is name + type + class.
func question(name []byte, qtype, qclass uint16) []byte {
	return cat(name, u16(qtype), u16(qclass))
}

// record is an RR with the given owner bytes (wire name or pointer).
func record(owner []byte, typ, class uint16, ttl uint32, rdata []byte) []byte {
	return cat(owner, u16(typ), u16(class), u32(ttl), u16(uint16(len(rdata))), rdata)
}

// Flag bits of the header's second word.
const (
	fQR = 0x8000
	fAA = 0x0400
	fTC = 0x0200
	fRD = 0x0100
	fRA = 0x0080
)

// query builds a standard recursive query for name/qtype.
func query(id uint16, name string, qtype uint16) []byte {
	return cat(header(id, fRD, 1, 0, 0, 0), question(wire(name), qtype, 1))
}

// response builds a response to name/qtype with answer records whose owner
// is a pointer to the question name (offset 12).
func response(id uint16, rcode uint16, name string, qtype uint16, answers ...[]byte) []byte {
	return cat(header(id, fQR|fRD|fRA|rcode, 1, uint16(len(answers)), 0, 0),
		question(wire(name), qtype, 1), cat(answers...))
}
