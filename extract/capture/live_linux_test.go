//go:build linux

package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// childEnv names the test a re-executed test binary is to run in its
// child role: in a fresh network namespace, or as an unprivileged user.
const childEnv = "FLOWSIFT_CAPTURE_TEST_CHILD"

func loopback(t *testing.T) *net.Interface {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 && ifi.Flags&net.FlagUp != 0 {
			return &ifi
		}
	}
	t.Skip("no loopback interface that is up")
	return nil
}

// requireCapture skips the test when this process may not open packet
// sockets.
func requireCapture(t *testing.T, ifi *net.Interface) {
	t.Helper()
	if _, err := hardwareType(ifi.Index); err != nil {
		if errors.Is(err, fs.ErrPermission) {
			t.Skipf("live capture needs root or CAP_NET_RAW: %v", err)
		}
		t.Fatalf("hardwareType(%s) error = %v", ifi.Name, err)
	}
}

type liveResult struct {
	st  LiveStats
	err error
}

// startLive runs Live in the background and returns once capture has
// started, with the function that ends it and waits for the result.
func startLive(t *testing.T, cfg LiveConfig) (stop func() liveResult) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan struct{})
	var once sync.Once
	res := make(chan liveResult, 1)
	go func() {
		st, err := Live(ctx, cfg, func(LiveStats) { once.Do(func() { close(started) }) })
		res <- liveResult{st, err}
	}()
	select {
	case <-started:
	case r := <-res:
		cancel()
		t.Fatalf("Live() returned before capture started: %v", r.err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("Live() did not start within 10s")
	}
	return func() liveResult {
		cancel()
		select {
		case r := <-res:
			return r
		case <-time.After(10 * time.Second):
			t.Fatal("Live() did not end within 10s of cancellation")
			return liveResult{}
		}
	}
}

// segment is what the tests look at in a captured frame.
type segment struct {
	Proto        uint8
	Src, Dst     string
	Sport, Dport uint16
	Payload      string
}

// decodeFrame decodes an Ethernet frame with optional VLAN tags carrying
// IPv4 or IPv6 and TCP or UDP.
func decodeFrame(b []byte) (segment, bool) {
	if len(b) < 14 {
		return segment{}, false
	}
	et, off := binary.BigEndian.Uint16(b[12:]), 14
	for (et == etherTypeVLAN || et == etherTypeQinQ) && len(b) >= off+4 {
		et, off = binary.BigEndian.Uint16(b[off+2:]), off+4
	}
	var s segment
	var l4 []byte
	switch {
	case et == etherTypeIPv4 && len(b) >= off+20:
		ip := b[off:]
		ihl := int(ip[0]&0x0f) * 4
		s.Proto = ip[9]
		s.Src, s.Dst = net.IP(ip[12:16]).String(), net.IP(ip[16:20]).String()
		l4 = ip[min(ihl, len(ip)):min(int(binary.BigEndian.Uint16(ip[2:])), len(ip))]
	case et == etherTypeIPv6 && len(b) >= off+40:
		ip := b[off:]
		s.Proto = ip[6]
		s.Src, s.Dst = net.IP(ip[8:24]).String(), net.IP(ip[24:40]).String()
		l4 = ip[40:min(40+int(binary.BigEndian.Uint16(ip[4:])), len(ip))]
	default:
		return segment{}, false
	}
	if len(l4) < 8 {
		return s, true
	}
	s.Sport, s.Dport = binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:])
	switch s.Proto {
	case ipProtoUDP:
		s.Payload = string(l4[8:])
	case ipProtoTCP:
		if hl := int(l4[12]>>4) * 4; len(l4) >= hl {
			s.Payload = string(l4[hl:])
		}
	}
	return s, true
}

func listenUDP(t *testing.T, addr string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.UDPConn)
}

func port(a net.Addr) uint16 {
	switch a := a.(type) {
	case *net.UDPAddr:
		return uint16(a.Port)
	case *net.TCPAddr:
		return uint16(a.Port)
	}
	return 0
}

// sendUDP sends n numbered datagrams to c and waits until c has read them.
func sendUDP(t *testing.T, c *net.UDPConn, tag string, n int) {
	t.Helper()
	out, err := net.DialUDP("udp", nil, c.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for i := range n {
		if _, err := fmt.Fprintf(out, "%s-%d", tag, i); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 64)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for range n {
		if _, _, err := c.ReadFrom(buf); err != nil {
			t.Fatalf("read datagram on %s: %v", c.LocalAddr(), err)
		}
	}
}

const burstLen = 100

// TestLiveLoopback captures on the loopback interface with a port filter
// while the test sends UDP over IPv4 and IPv6 and makes a TCP connection,
// then reads the file back.
func TestLiveLoopback(t *testing.T) {
	lo := loopback(t)
	requireCapture(t, lo)

	udpIn := listenUDP(t, "127.0.0.1:0")
	udpOther := listenUDP(t, "127.0.0.1:0")
	var udp6In *net.UDPConn
	if c, err := net.ListenPacket("udp", "[::1]:0"); err == nil {
		udp6In = c.(*net.UDPConn)
		t.Cleanup(func() { c.Close() })
	} else {
		t.Logf("no IPv6 on loopback, IPv6 part left out: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	cfg := DefaultLiveConfig()
	cfg.Interface = lo.Name
	cfg.Duration = time.Minute // ended by cancellation
	cfg.Output = filepath.Join(t.TempDir(), "lo.pcap")
	cfg.Ports = []uint16{port(udpIn.LocalAddr()), port(ln.Addr())}
	if udp6In != nil {
		cfg.Ports = append(cfg.Ports, port(udp6In.LocalAddr()))
	}
	stop := startLive(t, cfg)

	sendUDP(t, udpIn, "in", 5)
	sendUDP(t, udpOther, "other", 5)
	if udp6In != nil {
		sendUDP(t, udp6In, "in6", 3)
	}
	serverGot := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			serverGot <- err.Error()
			return
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		b, _ := io.ReadAll(c)
		c.Close() // before reporting, so that its FIN is sent while capturing
		serverGot <- string(b)
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if got := <-serverGot; got != "hello" {
		t.Fatalf("TCP server read %q, want hello", got)
	}

	// A burst right before the end: what the kernel queued before the
	// window closed must still reach the file.
	burst, err := net.DialUDP("udp", nil, udpIn.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	for i := range burstLen {
		fmt.Fprintf(burst, "burst-%d", i)
	}
	burst.Close()

	r := stop()
	if r.err != nil {
		t.Fatalf("Live() error = %v", r.err)
	}
	if !r.st.Interrupted {
		t.Error("LiveStats.Interrupted = false after cancellation, want true")
	}
	recs, fst := readRecords(t, cfg.Output)
	if fst.Format != "pcap-nsec" || !cmp.Equal(fst.LinkTypes, []LinkType{LinkEthernet}) {
		t.Errorf("file is %s with link types %v, want pcap-nsec, [EN10MB]", fst.Format, fst.LinkTypes)
	}
	if int64(len(recs)) != r.st.Packets {
		t.Errorf("file holds %d packets, LiveStats.Packets = %d", len(recs), r.st.Packets)
	}
	var bytesSum int64
	count := map[string]int{}
	for _, rec := range recs {
		bytesSum += int64(len(rec.Data))
		if rec.TS < r.st.Start.UnixNano() {
			t.Errorf("packet at %d ns is before the capture started (%d)", rec.TS, r.st.Start.UnixNano())
		}
		s, ok := decodeFrame(rec.Data)
		if !ok {
			t.Errorf("captured a frame that is not IP: % x", rec.Data)
			continue
		}
		switch {
		case s.Proto == ipProtoUDP && s.Dport == port(udpIn.LocalAddr()) && strings.HasPrefix(s.Payload, "burst-"):
			count["burst"]++
		case s.Proto == ipProtoUDP && s.Dport == port(udpIn.LocalAddr()):
			count["udp4 "+s.Payload]++
		case udp6In != nil && s.Proto == ipProtoUDP && s.Dport == port(udp6In.LocalAddr()):
			count["udp6 "+s.Payload]++
		case s.Proto == ipProtoTCP && (s.Dport == port(ln.Addr()) || s.Sport == port(ln.Addr())):
			count["tcp"]++
			if s.Payload != "" {
				count["tcp "+s.Payload]++
			}
		default:
			t.Errorf("captured a packet the filter should have dropped: %+v", s)
		}
	}
	if bytesSum != r.st.Bytes {
		t.Errorf("file holds %d bytes of packets, LiveStats.Bytes = %d", bytesSum, r.st.Bytes)
	}
	// Each datagram exactly once: loopback hands packet sockets every
	// packet twice unless the outgoing copy is filtered out.
	want := map[string]int{"tcp hello": 1}
	for i := range 5 {
		want[fmt.Sprintf("udp4 in-%d", i)] = 1
	}
	if udp6In != nil {
		for i := range 3 {
			want[fmt.Sprintf("udp6 in6-%d", i)] = 1
		}
	}
	tcpSegments, bursts := count["tcp"], count["burst"]
	delete(count, "tcp")
	delete(count, "burst")
	if int64(bursts)+r.st.KernelDrops < burstLen || bursts > burstLen {
		t.Errorf("captured %d of %d datagrams sent just before the end (%d kernel drops)", bursts, burstLen, r.st.KernelDrops)
	}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("captured packets (-want, +got):\n%s", diff)
	}
	// SYN, SYN-ACK, ACK, data, its ACK, and the closing FINs and ACKs.
	if tcpSegments < 6 {
		t.Errorf("captured %d TCP segments of the connection, want at least 6", tcpSegments)
	}
}

// TestLiveDuration lets a capture run out its duration with nothing to
// capture: the result is a valid, empty pcap.
func TestLiveDuration(t *testing.T) {
	lo := loopback(t)
	requireCapture(t, lo)
	quiet := listenUDP(t, "127.0.0.1:0")
	cfg := DefaultLiveConfig()
	cfg.Interface, cfg.Duration = lo.Name, 300*time.Millisecond
	cfg.Ports = []uint16{port(quiet.LocalAddr())}
	cfg.Output = filepath.Join(t.TempDir(), "quiet.pcap")
	calls := 0
	st, err := Live(t.Context(), cfg, func(LiveStats) { calls++ })
	if err != nil {
		t.Fatalf("Live() error = %v", err)
	}
	if st.Interrupted || st.Packets != 0 || st.Elapsed < cfg.Duration || st.Elapsed > cfg.Duration+2*time.Second {
		t.Errorf("Live() = %+v; want not interrupted, no packets, elapsed about %s", st, cfg.Duration)
	}
	if calls == 0 {
		t.Error("progress was never called")
	}
	if want := fmt.Sprintf("port %d", port(quiet.LocalAddr())); st.Filter != want {
		t.Errorf("LiveStats.Filter = %q, want %q", st.Filter, want)
	}
	recs, fst := readRecords(t, cfg.Output)
	if len(recs) != 0 || fst.Format != "pcap-nsec" || fst.SnapLen != DefaultSnapLen {
		t.Errorf("file: %d packets, %s, snaplen %d; want 0, pcap-nsec, %d", len(recs), fst.Format, fst.SnapLen, DefaultSnapLen)
	}
}

func TestLiveErrors(t *testing.T) {
	lo := loopback(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.pcap")
	if err := os.WriteFile(existing, []byte("evidence"), 0o644); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	base := DefaultLiveConfig()
	base.Interface, base.Duration = lo.Name, time.Second
	tests := []struct {
		name    string
		ctx     context.Context
		change  func(c *LiveConfig)
		wantErr error  // nil: any error
		wantMsg string // a part of the message
	}{
		{"unknown interface", t.Context(), func(c *LiveConfig) { c.Interface = "flowsift-no0" }, ErrNoInterface, "capture on flowsift-no0: no such interface (available: "},
		{"unknown interface lists loopback", t.Context(), func(c *LiveConfig) { c.Interface = "flowsift-no0" }, ErrNoInterface, lo.Name},
		{"output exists", t.Context(), func(c *LiveConfig) { c.Output = existing }, ErrOutputExists, existing},
		{"invalid config", t.Context(), func(c *LiveConfig) { c.SnapLen = -1 }, nil, "capture on " + lo.Name + ": snap length -1"},
		{"context already done", cancelled, func(*LiveConfig) {}, context.Canceled, "context canceled"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.Output = filepath.Join(dir, fmt.Sprintf("out%d.pcap", i))
			tt.change(&cfg)
			_, err := Live(tt.ctx, cfg, nil)
			switch {
			case err == nil:
				t.Fatal("Live() error = nil, want an error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Live() error = %v, want %v", err, tt.wantErr)
			case !strings.Contains(err.Error(), tt.wantMsg):
				t.Errorf("Live() error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if cfg.Output != existing {
				if _, err := os.Lstat(cfg.Output); err == nil {
					t.Errorf("Live() failed but created %s", cfg.Output)
				}
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "evidence" {
		t.Errorf("existing output now holds %q, want it untouched", b)
	}
}

// TestLivePermission provokes the missing-privilege error: directly when
// this process is unprivileged, else in a copy of the test binary run as
// user nobody.
func TestLivePermission(t *testing.T) {
	lo := loopback(t)
	if os.Getenv(childEnv) == t.Name() || os.Geteuid() != 0 {
		if _, err := hardwareType(lo.Index); err == nil {
			t.Skip("this process may capture, so the permission error cannot be provoked")
		}
		cfg := DefaultLiveConfig()
		cfg.Interface, cfg.Duration = lo.Name, time.Second
		cfg.Output = filepath.Join(os.TempDir(), fmt.Sprintf("flowsift-perm-%d.pcap", os.Getpid()))
		_, err := Live(t.Context(), cfg, nil)
		if !errors.Is(err, ErrPermission) {
			t.Fatalf("Live() error = %v, want ErrPermission", err)
		}
		if want := "capture on " + lo.Name + ": no permission to capture (need root or CAP_NET_RAW)"; err.Error() != want {
			t.Errorf("Live() error = %q, want %q", err, want)
		}
		if _, err := os.Lstat(cfg.Output); err == nil {
			os.Remove(cfg.Output)
			t.Errorf("Live() failed but created %s", cfg.Output)
		}
		return
	}
	// The copy must be readable by nobody, which the build directory is not.
	dir, err := os.MkdirTemp("", "flowsift-perm-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := copyTestBinary(t, dir)
	runChild(t, exe, t.Name(), &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}})
}

func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "capture.test")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// runChild runs one test of this binary in a child process and passes on
// its result; a child that skips makes the test skip.
func runChild(t *testing.T, exe, test string, attr *syscall.SysProcAttr) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+test, "TMPDIR=/tmp")
	cmd.SysProcAttr = attr
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start the child process (%+v): %v", attr, err)
	}
	err := cmd.Wait()
	text := out.String()
	switch {
	case strings.Contains(text, "--- SKIP: "+test):
		t.Skipf("child skipped:\n%s", text)
	case err != nil:
		t.Fatalf("child failed: %v\n%s", err, text)
	case !strings.Contains(text, "--- PASS: "+test):
		t.Fatalf("child ran no test:\n%s", text)
	}
	t.Logf("child:\n%s", text)
}

// TestLiveVLAN sends hand-made frames across a veth pair in a network
// namespace of its own and captures them on the receiving end. The kernel
// takes the outer VLAN tag off every frame before the filter sees it, so
// the 802.1Q frames exercise putting the tag back, and the 802.1ad+802.1Q
// frames exercise the filter's VLAN branch on the inner tag that stays.
func TestLiveVLAN(t *testing.T) {
	if os.Getenv(childEnv) != t.Name() {
		if os.Geteuid() != 0 {
			t.Skip("needs root to make a network namespace")
		}
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		// The namespace ends with the child; nothing to clean up.
		runChild(t, exe, t.Name(), &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET})
		return
	}
	ipCmd, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("no ip command (iproute2) to make a veth pair")
	}
	for _, args := range [][]string{
		{"link", "add", "fscap0", "type", "veth", "peer", "name", "fscap1"},
		{"link", "set", "fscap0", "up"},
		{"link", "set", "fscap1", "up"},
	} {
		if out, err := exec.Command(ipCmd, args...).CombinedOutput(); err != nil {
			t.Skipf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	rx, err := net.InterfaceByName("fscap0")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := net.InterfaceByName("fscap1")
	if err != nil {
		t.Fatal(err)
	}
	requireCapture(t, rx)

	cfg := DefaultLiveConfig()
	cfg.Interface, cfg.Duration = rx.Name, time.Minute
	cfg.Ports = []uint16{40000}
	cfg.Output = filepath.Join(t.TempDir(), "vlan.pcap")
	stop := startLive(t, cfg)

	frame := func(tags []vlanTag, etherType uint16, l3 []byte) []byte {
		b := ether(tags, etherType, l3)
		copy(b[0:6], rx.HardwareAddr)
		copy(b[6:12], tx.HardwareAddr)
		return b
	}
	dot1q100 := []vlanTag{{etherTypeVLAN, 100}}
	qinq78 := []vlanTag{{etherTypeQinQ, 7}, {etherTypeVLAN, 8}}
	frames := []struct {
		name string
		b    []byte
		want []byte // as written to the file; nil: not captured
	}{
		{"802.1Q, port", frame(dot1q100, etherTypeIPv4, udp4(hostA, hostB, 1234, 40000)), nil},
		{"802.1Q, other port", frame(dot1q100, etherTypeIPv4, udp4(hostA, hostB, 1234, 40001)), nil},
		{"802.1ad+802.1Q, port", frame(qinq78, etherTypeIPv4, udp4(hostA, hostB, 40000, 1234)), nil},
		{"802.1ad+802.1Q, other port", frame(qinq78, etherTypeIPv4, udp4(hostA, hostB, 40001, 1234)), nil},
		{"untagged IPv6, port", frame(nil, etherTypeIPv6, udp6(host6A, host6B, 1234, 40000)), nil},
		{"untagged IPv4 TCP, other port", frame(nil, etherTypeIPv4, ip4{src: hostA, dst: hostB, proto: ipProtoTCP, payload: ports(1234, 40001)}.bytes()), nil},
	}
	frames[0].want = frames[0].b
	// The outer tag comes back as 802.1Q: pcapgo does not report the TPID.
	frames[2].want = bytes.Clone(frames[2].b)
	binary.BigEndian.PutUint16(frames[2].want[12:], etherTypeVLAN)
	frames[4].want = frames[4].b

	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	to := &unix.SockaddrLinklayer{Ifindex: tx.Index, Halen: 6}
	copy(to.Addr[:], rx.HardwareAddr)
	for _, f := range frames {
		if err := unix.Sendto(fd, f.b, 0, to); err != nil {
			t.Fatalf("send %s: %v", f.name, err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	r := stop()
	if r.err != nil {
		t.Fatalf("Live() error = %v", r.err)
	}
	recs, _ := readRecords(t, cfg.Output)
	var got, want []string
	for _, rec := range recs {
		got = append(got, fmt.Sprintf("% x", rec.Data))
	}
	for _, f := range frames {
		if f.want != nil {
			want = append(want, fmt.Sprintf("% x", f.want))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("captured frames (-want, +got):\n%s", diff)
	}
}

// TestFilterKernelAccepts attaches filter programs to a socket, which
// makes the kernel's checker vet them (jump targets, scratch memory
// initialised before use, the packet-type extension). Any socket will do,
// so no privilege is needed.
func TestFilterKernelAccepts(t *testing.T) {
	var maxPorts []uint16
	for i := range MaxFilterPorts {
		maxPorts = append(maxPorts, uint16(i+1))
	}
	var maxHosts []string
	for i := range MaxFilterHosts {
		maxHosts = append(maxHosts, fmt.Sprintf("2001:db8::%x", i))
	}
	tests := []struct {
		name     string
		f        filter
		link     LinkType
		loopback bool
	}{
		{"none", filter{}, LinkEthernet, false},
		{"none on loopback", filter{}, LinkEthernet, true},
		{"ports", newFilter([]uint16{53, 443}, nil), LinkEthernet, false},
		{"hosts", newFilter(nil, addrs(hostA, host6A)), LinkEthernet, false},
		{"ports and hosts on loopback", newFilter([]uint16{53}, addrs(hostA, host6A)), LinkEthernet, true},
		{"raw", newFilter([]uint16{53}, addrs(hostA, host6A)), LinkRaw, false},
		{"largest", newFilter(maxPorts, addrs(maxHosts...)), LinkEthernet, true},
	}
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rc, err := c.(*net.UDPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, err := tt.f.program(tt.link, DefaultSnapLen)
			if err != nil {
				t.Fatalf("program() error = %v", err)
			}
			if tt.loopback {
				prog = rejectOutgoing(prog)
			}
			raw, err := bpf.Assemble(prog)
			if err != nil {
				t.Fatalf("Assemble() error = %v", err)
			}
			ins := make([]unix.SockFilter, len(raw))
			for i, r := range raw {
				ins[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
			}
			var serr error
			if err := rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
					&unix.SockFprog{Len: uint16(len(ins)), Filter: &ins[0]})
			}); err != nil {
				t.Fatal(err)
			}
			if serr != nil {
				t.Errorf("kernel refused the %d-instruction program: %v", len(ins), serr)
			}
		})
	}
}
