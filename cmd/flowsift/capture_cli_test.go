//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCaptureUsageErrors(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.pcap")
	if err := os.WriteFile(existing, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.pcap")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no interface", []string{"--duration", "1", "-w", out}, "--interface is required"},
		{"no duration", []string{"-i", "lo", "-w", out}, "--duration is required"},
		{"no output", []string{"-i", "lo", "--duration", "1"}, "--write (-w) is required"},
		{"bad duration", []string{"-i", "lo", "--duration", "soon", "-w", out}, `"soon" is neither seconds nor a duration`},
		{"negative duration", []string{"-i", "lo", "--duration", "-1", "-w", out}, "-1 seconds is not a duration"},
		{"NaN duration", []string{"-i", "lo", "--duration", "NaN", "-w", out}, "NaN seconds is not a duration"},
		{"port 0", []string{"-i", "lo", "--duration", "1", "--port", "53,0", "-w", out}, `--port "0": not a port number`},
		{"port text", []string{"-i", "lo", "--duration", "1", "--port", "dns", "-w", out}, `--port "dns": not a port number`},
		{"port too big", []string{"-i", "lo", "--duration", "1", "--port", "65536", "-w", out}, `--port "65536"`},
		{"host name", []string{"-i", "lo", "--duration", "1", "--host", "example", "-w", out}, `--host "example": not an IPv4 or IPv6 address`},
		{"snaplen 0", []string{"-i", "lo", "--duration", "1", "--snaplen", "0", "-w", out}, "snap length 0 outside"},
		{"positional", []string{"-i", "lo", "--duration", "1", "-w", out, "extra"}, `unexpected argument "extra"`},
		{"unknown interface", []string{"-i", "flowsift-no0", "--duration", "1", "-w", out}, "capture on flowsift-no0: no such interface (available: "},
		{"existing output", []string{"-i", "lo", "--duration", "1", "-w", existing}, "output file exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"capture"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tt.want)
			}
		})
	}
}

func TestCaptureLoopback(t *testing.T) {
	if fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, 0); err != nil {
		if errors.Is(err, fs.ErrPermission) {
			t.Skip("needs CAP_NET_RAW")
		}
		t.Fatal(err)
	} else {
		unix.Close(fd)
	}
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port)
	out := filepath.Join(t.TempDir(), "lo.pcap")
	code, stdout, stderr := runCLI(t, "capture", "-i", "lo", "--duration", "0.3", "--port", p, "--host", "127.0.0.1", "-w", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	re := regexp.MustCompile(`^0 packets, 0 bytes captured on lo in [0-9.]+m?s \(filter: \(port ` + p + `\) and \(host 127.0.0.1\), 0 dropped by the kernel\) -> ` + regexp.QuoteMeta(out) + "\n$")
	if !re.MatchString(stdout) {
		t.Errorf("stdout %q does not match %s", stdout, re)
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing (not a terminal)", stderr)
	}
	code, stdout, _ = runCLI(t, "info", out)
	if code != 0 || !strings.Contains(stdout, "pcap-nsec") {
		t.Errorf("info on the capture: exit %d\n%s", code, stdout)
	}
}

func TestInterfacesCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, "interfaces")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(stdout, "\nlo ") {
		t.Errorf("table:\n%s", stdout)
	}
	code, stdout, _ = runCLI(t, "interfaces", "--json")
	var v []map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil || len(v) != len(lines)-1 {
		t.Errorf("json exit %d:\n%s", code, stdout)
	}
	if code, _, _ := runCLI(t, "interfaces", "x"); code != exitUsage {
		t.Errorf("extra argument: exit %d", code)
	}
	code, stdout, _ = runCLI(t, "help", "capture")
	if code != 0 || !strings.Contains(stdout, "Usage: flowsift capture -i IF --duration D -w FILE [options]") {
		t.Errorf("help: %d\n%s", code, stdout)
	}
}
