package flow

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"

	"flowsift/extract/decode"
)

// CommunityID computes the Community ID v1 of a flow (corelight
// community-id-spec): SHA-1 over seed, ordered addresses, protocol, a pad
// byte and ordered ports, base64-encoded with the "1:" prefix. ICMP types
// with a counterpart order like TCP; one-way types keep the sender first.
func CommunityID(seed uint16, version, proto uint8, src, dst *decode.Addr, sport, dport uint16, oneWay bool, b64 bool) string {
	alen := 16
	if version == 4 {
		alen = 4
	}
	s, d := src[:alen], dst[:alen]
	hasPorts := proto == decode.ProtoTCP || proto == decode.ProtoUDP || proto == decode.ProtoSCTP ||
		proto == decode.ProtoICMP || proto == decode.ProtoICMPv6
	if !oneWay && !lessForID(s, sport, d, dport, hasPorts) {
		s, d = d, s
		sport, dport = dport, sport
	}
	var buf [2 + 16 + 16 + 2 + 4]byte
	binary.BigEndian.PutUint16(buf[0:], seed)
	n := 2
	n += copy(buf[n:], s)
	n += copy(buf[n:], d)
	buf[n] = proto
	buf[n+1] = 0
	n += 2
	if hasPorts {
		binary.BigEndian.PutUint16(buf[n:], sport)
		binary.BigEndian.PutUint16(buf[n+2:], dport)
		n += 4
	}
	sum := sha1.Sum(buf[:n])
	if b64 {
		return "1:" + base64.StdEncoding.EncodeToString(sum[:])
	}
	return "1:" + hex.EncodeToString(sum[:])
}

// lessForID orders endpoints as the spec does: by address bytes, then by
// port when the addresses are equal.
func lessForID(a []byte, pa uint16, b []byte, pb uint16, hasPorts bool) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return !hasPorts || pa < pb || pa == pb
}
