package datasets

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// zp is one packet fed to the Zeek model: i marks the generator's
// initiator as sender.
type zp struct {
	i     bool
	flags uint8
	seq   uint32
	n     int
}

func TestZeekModel(t *testing.T) {
	const (
		S  = flagSYN
		A  = flagACK
		F  = flagFIN
		R  = flagRST
		P  = flagPSH
		SA = flagSYN | flagACK
		FA = flagFIN | flagACK
		RA = flagRST | flagACK
	)
	type want struct {
		History, State string
		Flipped        bool
		Orig, Resp     int64 // packets Zeek gives each side
		DurationNS     int64
	}
	tests := []struct {
		name         string
		proto        uint8
		sport, dport uint16
		pkts         []zp
		want         want
	}{
		{"complete connection", protoTCP, 50000, 443, []zp{
			{true, S, 100, 0}, {false, SA, 900, 0}, {true, A, 101, 0}, {true, P | A, 101, 300},
			{false, A, 901, 0}, {false, P | A, 901, 1200}, {true, A, 401, 0}, {true, FA, 401, 0},
			{false, FA, 2101, 0}, {true, A, 402, 0},
		}, want{"ShADadFf", "SF", false, 6, 4, 8}},
		{"attempt without answer", protoTCP, 50000, 80, []zp{{true, S, 7, 0}, {true, S, 7, 0}},
			want{"S", "S0", false, 2, 0, 1}},
		// Zeek re-bases the sequence space on the new SYN before comparing,
		// so the relative sequence number is 0 again and no second S shows.
		{"SYN repeated with a new ISN", protoTCP, 50000, 80, []zp{{true, S, 7, 0}, {true, S, 99, 0}},
			want{"S", "S0", false, 2, 0, 1}},
		{"rejected", protoTCP, 50000, 23, []zp{{true, S, 7, 0}, {false, RA, 0, 0}},
			want{"Sr", "REJ", false, 1, 1, 1}},
		{"half-open scan", protoTCP, 50000, 22, []zp{{true, S, 7, 0}, {false, SA, 70, 0}, {true, R, 8, 0}},
			want{"ShR", "RSTO", false, 2, 1, 2}},
		{"connect scan", protoTCP, 50000, 445, []zp{{true, S, 7, 0}, {false, SA, 70, 0}, {true, A, 8, 0}, {true, RA, 8, 0}},
			want{"ShAR", "RSTO", false, 3, 1, 3}},
		{"SYN answered by SYN-ACK only", protoTCP, 50000, 80, []zp{{true, S, 7, 0}, {false, SA, 70, 0}, {false, SA, 70, 0}},
			want{"Sh", "S1", false, 1, 2, 2}},
		{"originator SYN then RST", protoTCP, 50000, 80, []zp{{true, S, 7, 0}, {true, R, 8, 0}},
			want{"SR", "RSTOS0", false, 2, 0, 1}},
		{"originator SYN then FIN", protoTCP, 50000, 80, []zp{{true, S, 7, 0}, {true, FA, 8, 0}},
			want{"SF", "SH", false, 2, 0, 1}},
		{"responder resets after data", protoTCP, 50000, 443, []zp{
			{true, S, 1, 0}, {false, SA, 50, 0}, {true, A, 2, 0}, {true, P | A, 2, 100}, {false, RA, 51, 0},
		}, want{"ShADr", "RSTR", false, 3, 2, 4}},
		{"originator closes, responder silent", protoTCP, 50000, 443, []zp{
			{true, S, 1, 0}, {false, SA, 50, 0}, {true, A, 2, 0}, {true, FA, 2, 0},
		}, want{"ShAF", "S2", false, 3, 1, 3}},
		{"FIN carrying data logs F only", protoTCP, 50000, 80, []zp{
			{true, S, 1, 0}, {false, SA, 50, 0}, {true, A, 2, 0}, {true, FA | P, 2, 10}, {false, FA, 51, 0}, {true, A, 13, 0},
		}, want{"ShAFf", "SF", false, 4, 2, 4}},
		{"midstream, no SYN", protoTCP, 50000, 80, []zp{
			{true, P | A, 1000, 50}, {false, A, 5000, 0}, {true, FA, 1050, 0}, {false, FA, 5000, 0}, {true, A, 1051, 0},
		}, want{"DaFfA", "SF", false, 3, 2, 3}},
		// A connection already open when the capture started, whose first
		// captured packet is the server's: Zeek flips it, so the
		// initiator is Orig again.
		{"midstream, server first", protoTCP, 50000, 443, []zp{
			{false, P | A, 5000, 200}, {true, A, 1000, 0}, {true, P | A, 1000, 40}, {false, A, 5200, 0},
		}, want{"^dADa", "OTH", true, 2, 2, 3}},
		// Between ports Zeek does not know, the first sender is Orig even
		// if it is the side that did not open the connection.
		{"midstream, responder first without a flip", protoTCP, 50000, 9000, []zp{
			{false, P | A, 5000, 100}, {true, A, 1, 0},
		}, want{"Da", "OTH", false, 1, 1, 1}},
		{"midstream teardown only", protoTCP, 50000, 443, []zp{{true, RA, 700, 0}},
			want{"R", "OTH", false, 1, 0, 0}},
		{"reflected SYN-ACK is flipped", protoTCP, 443, 40001, []zp{{true, SA, 9, 0}, {false, R, 77, 0}},
			want{"^hR", "RSTO", true, 1, 1, 1}},
		{"SYN-ACK then RST from its sender", protoTCP, 80, 40001, []zp{{true, SA, 9, 0}, {true, RA, 10, 0}},
			want{"^hr", "RSTRH", true, 0, 2, 1}},
		// After the late flip the SYN-ACK sender is a responder in
		// SYN_ACK_SENT and the ACK sender is PARTIAL: neither S1 nor S0.
		{"SYN-ACK between unlikely ports flips on the ACK", protoTCP, 40001, 40002, []zp{{true, SA, 9, 0}, {false, A, 77, 0}},
			want{"^hA", "OTH", true, 1, 1, 1}},
		{"udp exchange", protoUDP, 40000, 53, []zp{{true, 0, 0, 40}, {false, 0, 0, 90}, {true, 0, 0, 40}, {false, 0, 0, 90}},
			want{"Dd", "SF", false, 2, 2, 3}},
		{"udp one way", protoUDP, 40000, 9999, []zp{{true, 0, 0, 1400}},
			want{"D", "S0", false, 1, 0, 0}},
		{"udp from a server port is flipped", protoUDP, 53, 40000, []zp{{true, 0, 0, 1300}, {true, 0, 0, 1300}},
			want{"^d", "SHR", true, 0, 2, 1}},
		{"udp between server ports is not flipped", protoUDP, 123, 123, []zp{{true, 0, 0, 48}, {false, 0, 0, 48}},
			want{"Dd", "SF", false, 1, 1, 1}},
		{"icmp has no history", protoICMP, 8, 0, []zp{{true, 0, 0, 56}, {false, 0, 0, 56}},
			want{"", "OTH", false, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zconn{proto: tt.proto}
			var got want
			for i, p := range tt.pkts {
				sp, dp := tt.sport, tt.dport
				if !p.i {
					sp, dp = dp, sp
				}
				if z.packet(int64(i), p.i, sp, dp, p.flags, p.seq, p.n) {
					got.Orig++
				} else {
					got.Resp++
				}
			}
			got.History, got.State, got.Flipped = string(z.hist), z.state(), z.flipped
			got.DurationNS = z.last - z.first
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("zconn (-got, +want):\n%s", diff)
			}
		})
	}
}

// TestZeekNoFlipToBroadcast: Zeek does not flip a connection whose first
// packet goes to 255.255.255.255, such as a DHCP server's broadcast reply.
func TestZeekNoFlipToBroadcast(t *testing.T) {
	z := zconn{proto: protoUDP, noFlip: true}
	if !z.packet(0, true, 67, 68, 0, 0, 300) || z.flipped || string(z.hist) != "D" || z.state() != "S0" {
		t.Errorf("broadcast from 67 to 68: flipped %v, history %q, state %s; want not flipped, D, S0", z.flipped, z.hist, z.state())
	}
}

func TestRSTOS0Pattern(t *testing.T) {
	for h, want := range map[string]bool{"SR": true, "^SR": true, "SdR": true, "ShR": true, "SAR": false,
		"R": false, "S": false, "SRh": true, "SFR": false} {
		if got := rstos0([]byte(h)); got != want {
			t.Errorf("rstos0(%q) = %v, want %v", h, got, want)
		}
	}
}
