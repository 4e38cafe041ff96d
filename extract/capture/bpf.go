package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
)

// The socket filter is assembled here rather than compiled from a libpcap
// expression so that live capture needs neither cgo nor libpcap. Its
// semantics are documented on [LiveConfig].

const (
	etherTypeIPv4    = 0x0800
	etherTypeIPv6    = 0x86dd
	etherTypeVLAN    = 0x8100 // IEEE 802.1Q
	etherTypeQinQ    = 0x88a8 // IEEE 802.1ad
	etherTypeQinQOld = 0x9100 // pre-standard double tagging, still emitted by some switches

	ipProtoHopByHop = 0
	ipProtoTCP      = 6
	ipProtoUDP      = 17
	ipProtoRouting  = 43
	ipProtoFragment = 44
	ipProtoAH       = 51
	ipProtoDstOpts  = 60
	ipProtoSCTP     = 132

	// filterVLANTags is how many stacked VLAN tags the filter looks
	// through; a frame with more is rejected.
	filterVLANTags = 2
	// filterIPv6ExtHeaders is how many IPv6 extension headers the filter
	// walks to find the transport header; deeper chains are rejected by a
	// port filter. Classic BPF has no loops, so each level is unrolled.
	filterIPv6ExtHeaders = 4
	// bpfMaxInstructions is the kernel's BPF_MAXINSNS.
	bpfMaxInstructions = 4096
)

// portProtocols are the transport protocols whose first four bytes are the
// source and destination ports, as tcpdump's "port" primitive matches them.
var portProtocols = []uint32{ipProtoTCP, ipProtoUDP, ipProtoSCTP}

// errFilterTooLarge is returned when a filter does not fit the kernel's
// instruction limit; Validate's limits on ports and hosts keep it unreachable.
var errFilterTooLarge = errors.New("filter program too large")

// filter is the normalised selection of a live capture: packets to or from
// any of the ports AND to or from any of the hosts. An empty list does not
// restrict; the zero filter accepts every frame.
type filter struct {
	ports []uint16     // sorted, unique
	v4    []netip.Addr // sorted, unique, IPv4 (IPv4-mapped IPv6 addresses are unmapped)
	v6    []netip.Addr // sorted, unique, IPv6
}

func newFilter(ports []uint16, hosts []netip.Addr) filter {
	var f filter
	f.ports = slices.Compact(slices.Sorted(slices.Values(ports)))
	for _, h := range hosts {
		h = h.Unmap()
		if h.Is4() {
			f.v4 = append(f.v4, h)
		} else {
			f.v6 = append(f.v6, h)
		}
	}
	slices.SortFunc(f.v4, netip.Addr.Compare)
	slices.SortFunc(f.v6, netip.Addr.Compare)
	f.v4 = slices.Compact(f.v4)
	f.v6 = slices.Compact(f.v6)
	return f
}

func (f filter) hasHosts() bool { return len(f.v4)+len(f.v6) > 0 }

// String describes the filter in tcpdump's words ("" when it accepts
// everything), for the capture summary.
func (f filter) String() string {
	var parts []string
	if len(f.ports) > 0 {
		terms := make([]string, len(f.ports))
		for i, p := range f.ports {
			terms[i] = "port " + strconv.Itoa(int(p))
		}
		parts = append(parts, strings.Join(terms, " or "))
	}
	if f.hasHosts() {
		var terms []string
		for _, h := range slices.Concat(f.v4, f.v6) {
			terms = append(terms, "host "+h.String())
		}
		parts = append(parts, strings.Join(terms, " or "))
	}
	if len(parts) == 2 {
		return "(" + parts[0] + ") and (" + parts[1] + ")"
	}
	return strings.Join(parts, "")
}

// program returns the classic BPF program that implements f on frames of
// the given link type. Accepted packets are cut to snapLen bytes.
func (f filter) program(link LinkType, snapLen uint32) ([]bpf.Instruction, error) {
	if len(f.ports) == 0 && !f.hasHosts() {
		return []bpf.Instruction{bpf.RetConstant{Val: snapLen}}, nil
	}
	var a assembler
	accept, reject := a.newLabel(), a.newLabel()
	ipv4, ipv6, ports := a.newLabel(), a.newLabel(), a.newLabel()
	// A host list of one family rules the other family out entirely.
	wantV4 := !f.hasHosts() || len(f.v4) > 0
	wantV6 := !f.hasHosts() || len(f.v6) > 0
	if !wantV4 {
		ipv4 = reject
	}
	if !wantV6 {
		ipv6 = reject
	}

	// X holds the bytes of VLAN tags before the network header, which
	// starts at X+base; every later load is relative to X.
	var base uint32
	switch link {
	case LinkEthernet:
		base = 14
		l3 := a.newLabel()
		a.emit(bpf.LoadConstant{Dst: bpf.RegX, Val: 0}, bpf.LoadAbsolute{Off: 12, Size: 2})
		for tag := uint32(1); tag <= filterVLANTags; tag++ {
			tagged := a.newLabel()
			a.jumpIf(bpf.JumpEqual, etherTypeVLAN, tagged, 0)
			a.jumpIf(bpf.JumpEqual, etherTypeQinQ, tagged, 0)
			a.jumpIf(bpf.JumpEqual, etherTypeQinQOld, tagged, l3)
			a.mark(tagged)
			a.emit(bpf.LoadConstant{Dst: bpf.RegX, Val: 4 * tag}, bpf.LoadAbsolute{Off: 12 + 4*tag, Size: 2})
		}
		a.mark(l3)
		a.jumpIf(bpf.JumpEqual, etherTypeIPv4, ipv4, 0)
		a.jumpIf(bpf.JumpEqual, etherTypeIPv6, ipv6, reject)
	case LinkRaw:
		a.emit(bpf.LoadConstant{Dst: bpf.RegX, Val: 0},
			bpf.LoadAbsolute{Off: 0, Size: 1},
			bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 4})
		a.jumpIf(bpf.JumpEqual, 4, ipv4, 0)
		a.jumpIf(bpf.JumpEqual, 6, ipv6, reject)
	default:
		return nil, fmt.Errorf("filter for link type %s: not supported", link)
	}

	if wantV4 {
		a.mark(ipv4)
		f.ipv4(&a, base, ports, accept, reject)
	}
	if wantV6 {
		a.mark(ipv6)
		f.ipv6(&a, base, ports, accept, reject)
	}
	if len(f.ports) > 0 {
		// X+base is the transport header.
		a.mark(ports)
		for _, off := range []uint32{0, 2} { // source port, destination port
			a.emit(bpf.LoadIndirect{Off: base + off, Size: 2})
			for _, p := range f.ports {
				a.jumpIf(bpf.JumpEqual, uint32(p), accept, 0)
			}
		}
		a.jump(reject)
	}
	a.mark(accept)
	a.emit(bpf.RetConstant{Val: snapLen})
	a.mark(reject)
	a.emit(bpf.RetConstant{Val: 0})
	return a.assemble()
}

func (f filter) ipv4(a *assembler, base uint32, ports, accept, reject label) {
	if len(f.v4) > 0 {
		ok := a.newLabel()
		for _, off := range []uint32{12, 16} { // source, destination address
			a.emit(bpf.LoadIndirect{Off: base + off, Size: 4})
			for _, h := range f.v4 {
				b := h.As4()
				a.jumpIf(bpf.JumpEqual, binary.BigEndian.Uint32(b[:]), ok, 0)
			}
		}
		a.jump(reject)
		a.mark(ok)
	}
	if len(f.ports) == 0 {
		a.jump(accept)
		return
	}
	ported := a.newLabel()
	a.emit(bpf.LoadIndirect{Off: base + 9, Size: 1})
	a.jumpIfAny(portProtocols, ported, reject)
	a.mark(ported)
	// A fragment after the first carries no transport header, so its ports
	// are unknown; keeping it keeps fragmented datagrams to a filtered port
	// whole (see LiveConfig).
	a.emit(bpf.LoadIndirect{Off: base + 6, Size: 2})
	a.jumpIf(bpf.JumpBitsSet, 0x1fff, accept, 0)
	a.emit(bpf.LoadIndirect{Off: base, Size: 1},
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x0f},
		bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 2},
		bpf.ALUOpX{Op: bpf.ALUOpAdd},
		bpf.TAX{})
	a.jump(ports)
}

func (f filter) ipv6(a *assembler, base uint32, ports, accept, reject label) {
	if len(f.v6) > 0 {
		ok := a.newLabel()
		for _, off := range []uint32{8, 24} { // source, destination address
			for _, h := range f.v6 {
				next := a.newLabel()
				b := h.As16()
				for w := uint32(0); w < 4; w++ {
					a.emit(bpf.LoadIndirect{Off: base + off + 4*w, Size: 4})
					a.jumpIf(bpf.JumpNotEqual, binary.BigEndian.Uint32(b[4*w:]), next, 0)
				}
				a.jump(ok)
				a.mark(next)
			}
		}
		a.jump(reject)
		a.mark(ok)
	}
	if len(f.ports) == 0 {
		a.jump(accept)
		return
	}
	// From here A is the next-header value and X+base the header it names;
	// scratch M[0] carries A across the arithmetic on X.
	a.emit(bpf.LoadIndirect{Off: base + 6, Size: 1},
		bpf.StoreScratch{Src: bpf.RegA, N: 0},
		bpf.TXA{},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 40},
		bpf.TAX{},
		bpf.LoadScratch{Dst: bpf.RegA, N: 0})
	for level := 0; ; level++ {
		if level == filterIPv6ExtHeaders {
			a.jumpIfAny(portProtocols, ports, reject)
			return
		}
		ext, ah, frag, nonFirst, next := a.newLabel(), a.newLabel(), a.newLabel(), a.newLabel(), a.newLabel()
		a.jumpIfAny(portProtocols, ports, 0)
		a.jumpIfAny([]uint32{ipProtoHopByHop, ipProtoRouting, ipProtoDstOpts}, ext, 0)
		a.jumpIf(bpf.JumpEqual, ipProtoAH, ah, 0)
		a.jumpIf(bpf.JumpEqual, ipProtoFragment, frag, reject)

		// Hop-by-hop, routing and destination options: length in 8-octet
		// units, not counting the first 8.
		a.mark(ext)
		skipExtHeader(a, base, 1, 3)
		a.jump(next)
		// Authentication header: length in 4-octet units, minus 2.
		a.mark(ah)
		skipExtHeader(a, base, 2, 2)
		a.jump(next)
		// Fragment header: 8 bytes; only the first fragment has the
		// transport header.
		a.mark(frag)
		a.emit(bpf.LoadIndirect{Off: base + 2, Size: 2})
		a.jumpIf(bpf.JumpBitsSet, 0xfff8, nonFirst, 0)
		a.emit(bpf.LoadIndirect{Off: base, Size: 1},
			bpf.StoreScratch{Src: bpf.RegA, N: 0},
			bpf.TXA{},
			bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 8},
			bpf.TAX{},
			bpf.LoadScratch{Dst: bpf.RegA, N: 0})
		a.jump(next)
		a.mark(nonFirst)
		a.emit(bpf.LoadIndirect{Off: base, Size: 1})
		a.jumpIfAny(portProtocols, accept, reject)
		a.mark(next)
	}
}

// skipExtHeader advances X past the extension header at X+base, whose
// length byte L gives (L+add)<<shift bytes, and leaves its next-header value
// in A.
func skipExtHeader(a *assembler, base, add, shift uint32) {
	a.emit(bpf.LoadIndirect{Off: base, Size: 1},
		bpf.StoreScratch{Src: bpf.RegA, N: 0},
		bpf.LoadIndirect{Off: base + 1, Size: 1},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: add},
		bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: shift},
		bpf.ALUOpX{Op: bpf.ALUOpAdd},
		bpf.TAX{},
		bpf.LoadScratch{Dst: bpf.RegA, N: 0})
}

// label names a place in a program under assembly; 0 means "the next
// instruction".
type label int

// asmItem is an instruction, a label definition or a jump to labels.
type asmItem struct {
	ins    bpf.Instruction // a plain instruction, when not nil
	define label           // a label definition, when not 0
	jump   bool            // a jump: always when cond is nil, else conditional
	cond   *bpf.JumpIf     // Cond and Val; the skips are filled in by assemble
	t, f   label           // targets: taken (or unconditional), not taken
}

// assembler turns a program with symbolic forward jumps into bpf
// instructions. Conditional jumps reach at most 255 instructions ahead, so
// a farther one is rewritten as a conditional jump over unconditional ones,
// which reach anywhere.
type assembler struct {
	items  []asmItem
	labels int
}

func (a *assembler) newLabel() label { a.labels++; return label(a.labels) }

func (a *assembler) mark(l label) { a.items = append(a.items, asmItem{define: l}) }

func (a *assembler) emit(ins ...bpf.Instruction) {
	for _, in := range ins {
		a.items = append(a.items, asmItem{ins: in})
	}
}

func (a *assembler) jump(t label) { a.items = append(a.items, asmItem{jump: true, t: t}) }

func (a *assembler) jumpIf(cond bpf.JumpTest, val uint32, t, f label) {
	a.items = append(a.items, asmItem{jump: true, cond: &bpf.JumpIf{Cond: cond, Val: val}, t: t, f: f})
}

// jumpIfAny jumps to t when A equals any of vals, else to f. t must be a
// label: 0 would mean the next comparison, not the next block.
func (a *assembler) jumpIfAny(vals []uint32, t, f label) {
	for i, v := range vals {
		if i == len(vals)-1 {
			a.jumpIf(bpf.JumpEqual, v, t, f)
		} else {
			a.jumpIf(bpf.JumpEqual, v, t, 0)
		}
	}
}

// size is the number of instructions an item assembles to.
func (it asmItem) size(long bool) int {
	switch {
	case it.ins != nil:
		return 1
	case !it.jump:
		return 0
	case it.cond != nil && long:
		return 3 // jcond 0,1; ja t; ja f
	default:
		return 1
	}
}

func (a *assembler) assemble() ([]bpf.Instruction, error) {
	long := make([]bool, len(a.items))
	pos := make([]int, len(a.items)+1)
	at := make([]int, a.labels+1)
	defined := make([]bool, a.labels+1)
	for _, it := range a.items {
		if it.define != 0 {
			defined[it.define] = true
		}
	}
	for _, it := range a.items {
		if it.jump && (!defined[it.t] && it.t != 0 || !defined[it.f] && it.f != 0) {
			return nil, errors.New("assemble: jump to an undefined label")
		}
	}
	// Lengthening one jump can push others out of reach; repeat until the
	// layout is stable. Jumps only ever grow, so this terminates.
	for {
		n := 0
		for i, it := range a.items {
			pos[i] = n
			if it.define != 0 {
				at[it.define] = n
			}
			n += it.size(long[i])
		}
		pos[len(a.items)] = n
		changed := false
		for i, it := range a.items {
			if it.cond == nil || long[i] {
				continue
			}
			for _, l := range []label{it.t, it.f} {
				if l != 0 && at[l]-(pos[i]+1) > 255 {
					long[i], changed = true, true
				}
			}
		}
		if !changed {
			if n > bpfMaxInstructions {
				return nil, fmt.Errorf("%w: %d instructions, at most %d", errFilterTooLarge, n, bpfMaxInstructions)
			}
			break
		}
	}
	prog := make([]bpf.Instruction, 0, pos[len(a.items)])
	for i, it := range a.items {
		if it.ins != nil {
			prog = append(prog, it.ins)
			continue
		}
		if !it.jump {
			continue
		}
		end := pos[i] + it.size(long[i]) // the instruction after this item
		dist := func(l label, from int) int {
			if l == 0 {
				return end - from
			}
			return at[l] - from
		}
		switch {
		case it.cond == nil:
			d := dist(it.t, pos[i]+1)
			if d < 0 {
				return nil, fmt.Errorf("assemble: backward jump at %d", pos[i])
			}
			prog = append(prog, bpf.Jump{Skip: uint32(d)})
		case long[i]:
			dt, df := dist(it.t, pos[i]+2), dist(it.f, pos[i]+3)
			if dt < 0 || df < 0 {
				return nil, fmt.Errorf("assemble: backward jump at %d", pos[i])
			}
			prog = append(prog,
				bpf.JumpIf{Cond: it.cond.Cond, Val: it.cond.Val, SkipTrue: 0, SkipFalse: 1},
				bpf.Jump{Skip: uint32(dt)},
				bpf.Jump{Skip: uint32(df)})
		default:
			dt, df := dist(it.t, pos[i]+1), dist(it.f, pos[i]+1)
			if dt < 0 || df < 0 {
				return nil, fmt.Errorf("assemble: backward jump at %d", pos[i])
			}
			prog = append(prog, bpf.JumpIf{Cond: it.cond.Cond, Val: it.cond.Val, SkipTrue: uint8(dt), SkipFalse: uint8(df)})
		}
	}
	return prog, nil
}
