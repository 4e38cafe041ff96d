//go:build linux

package capture

import "golang.org/x/net/bpf"

// packetOutgoing is the kernel's PACKET_OUTGOING packet type.
const packetOutgoing = 4

// rejectOutgoing prefixes a program with a check that drops packets the
// host sends. On the loopback device the kernel hands a packet socket every
// packet twice, once as sent and once as received; libpcap drops the sent
// copy the same way. The packet type is a Linux extension, so the prefix
// runs only in the kernel, never in bpf.VM.
func rejectOutgoing(prog []bpf.Instruction) []bpf.Instruction {
	return append([]bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtType},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetOutgoing, SkipFalse: 1},
		bpf.RetConstant{Val: 0},
	}, prog...)
}
