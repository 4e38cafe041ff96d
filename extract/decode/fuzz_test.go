package decode_test

import (
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"flowsift/extract/decode"
)

// maxFuzzInput bounds fuzz inputs, and seeds: the table's 64 KiB IPv6
// jumbogram would slow every mutation of it down.
const maxFuzzInput = 1 << 16

// FuzzDecode feeds arbitrary frames to Decode. The first byte picks the
// link type (an index into linkTypes), the rest is the frame.
func FuzzDecode(f *testing.F) {
	for _, tt := range decodeCases(f) {
		if len(tt.data)+1 > maxFuzzInput {
			continue
		}
		f.Add(append([]byte{linkIndex(f, tt.link)}, tt.data...))
	}
	dirtyPkt := dirty(f)
	f.Add(append([]byte{0}, dirtyPkt...))
	var shared decode.Decoder
	var sp decode.Packet
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 || len(in) > maxFuzzInput {
			return
		}
		link := linkTypes[int(in[0])%len(linkTypes)]
		data := in[1:]

		var d decode.Decoder
		var p decode.Packet
		res := d.Decode(link, data, &p)
		checkPacket(t, data, res, &p)

		// Decoding again with a decoder and packet that held another
		// frame gives the same result and fields.
		got := project(res, &p)
		shared.Decode(linkTypes[0], dirtyPkt, &sp)
		again := project(shared.Decode(link, data, &sp), &sp)
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("Decode(%v) into a reused packet (-fresh, +reused):\n%s", link, diff)
		}
	})
}

// checkPacket checks the invariants every decoded packet keeps.
func checkPacket(t *testing.T, data []byte, res decode.Result, p *decode.Packet) {
	t.Helper()
	if res.String() == "unknown" {
		t.Fatalf("Decode returned an unnamed result %d", res)
	}
	if p.NumOuter < 0 || p.NumOuter > decode.MaxTunnelDepth {
		t.Fatalf("NumOuter = %d, want 0..%d", p.NumOuter, decode.MaxTunnelDepth)
	}
	if p.NumVLANs < 2 && p.InnerVLAN != 0 || p.NumVLANs == 0 && p.VLAN != 0 {
		t.Errorf("NumVLANs = %d with VLAN %d, InnerVLAN %d", p.NumVLANs, p.VLAN, p.InnerVLAN)
	}
	if !res.HasIP() {
		return
	}
	for i := range p.NumOuter {
		if p.Tunnel[i] == decode.TunnelNone || p.Tunnel[i].String() == "unknown" {
			t.Errorf("Tunnel[%d] = %d", i, p.Tunnel[i])
		}
		checkIP(t, data, "Outer", &p.Outer[i])
	}
	checkIP(t, data, "IPHeader", &p.IPHeader)
	h := &p.IPHeader
	switch {
	case res == decode.Fragment:
		if !h.Fragment || h.FragOffset == 0 || h.HasL4 {
			t.Errorf("result %v with Fragment %v, FragOffset %d, HasL4 %v", res, h.Fragment, h.FragOffset, h.HasL4)
		}
	case res == decode.OK:
		if !h.HasL4 {
			t.Errorf("result %v without HasL4 (proto %d)", res, h.Proto)
		}
	default:
		if h.HasL4 {
			t.Errorf("result %v with HasL4 (proto %d)", res, h.Proto)
		}
	}
	if h.HasL4 {
		switch h.Proto {
		case decode.ProtoTCP:
			if h.L4HdrLen < 20 || h.L4HdrLen > 60 {
				t.Errorf("TCP L4HdrLen = %d", h.L4HdrLen)
			}
		case decode.ProtoUDP:
			if h.L4HdrLen != 8 {
				t.Errorf("UDP L4HdrLen = %d", h.L4HdrLen)
			}
		case decode.ProtoICMP, decode.ProtoICMPv6:
			if h.L4HdrLen < 4 || h.L4HdrLen > 8 {
				t.Errorf("ICMP L4HdrLen = %d", h.L4HdrLen)
			}
		default:
			t.Errorf("HasL4 with proto %d", h.Proto)
		}
	}
}

// checkIP checks one IP header's fields against the frame they came from.
func checkIP(t *testing.T, data []byte, what string, h *decode.IPHeader) {
	t.Helper()
	switch h.Version {
	case 4:
		if [12]byte(h.Src[4:]) != [12]byte{} || [12]byte(h.Dst[4:]) != [12]byte{} {
			t.Errorf("%s: IPv4 Src %x Dst %x use more than 4 bytes", what, h.Src, h.Dst)
		}
		if h.HdrLen < 20 || h.HdrLen > 60 {
			t.Errorf("%s: IPv4 HdrLen = %d", what, h.HdrLen)
		}
		if h.ID > 0xffff {
			t.Errorf("%s: IPv4 ID = %#x", what, h.ID)
		}
	case 6:
		if h.HdrLen < 40 {
			t.Errorf("%s: IPv6 HdrLen = %d", what, h.HdrLen)
		}
	default:
		t.Fatalf("%s: Version = %d", what, h.Version)
	}
	if h.HdrLen > len(h.Raw) {
		t.Errorf("%s: HdrLen %d past the %d captured IP bytes", what, h.HdrLen, len(h.Raw))
	}
	if h.TotalLen < h.HdrLen {
		t.Errorf("%s: TotalLen %d < HdrLen %d", what, h.TotalLen, h.HdrLen)
	}
	if h.PayloadLen < 0 || h.L4HdrLen < 0 {
		t.Errorf("%s: PayloadLen %d, L4HdrLen %d", what, h.PayloadLen, h.L4HdrLen)
	}
	if h.HasL4 && h.HdrLen+h.L4HdrLen+h.PayloadLen > h.TotalLen {
		t.Errorf("%s: HdrLen %d + L4HdrLen %d + PayloadLen %d > TotalLen %d", what, h.HdrLen, h.L4HdrLen, h.PayloadLen, h.TotalLen)
	}
	if len(h.Payload) > h.PayloadLen {
		t.Errorf("%s: len(Payload) %d > PayloadLen %d", what, len(h.Payload), h.PayloadLen)
	}
	if h.Fragment != (h.MoreFrags || h.FragOffset != 0) && h.Version == 4 {
		t.Errorf("%s: Fragment %v with MoreFrags %v, FragOffset %d", what, h.Fragment, h.MoreFrags, h.FragOffset)
	}
	if !within(h.Raw, data) {
		t.Errorf("%s: Raw is not within the frame", what)
	}
	if !within(h.Payload, data) {
		t.Errorf("%s: Payload is not within the frame", what)
	}
}

// within reports whether s lies inside b (an empty s always does).
func within(s, b []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(b) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(b))
}
