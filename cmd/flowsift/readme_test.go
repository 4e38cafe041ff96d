package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEDocumentsEveryFlag checks that README.md names every command
// and every long flag that `flowsift help COMMAND` prints.
func TestREADMEDocumentsEveryFlag(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	flag := regexp.MustCompile(`(?m)^\s+(?:-\w, )?(--[a-z0-9-]+)`)
	for _, c := range commands {
		if !strings.Contains(readme, "flowsift "+c.name) {
			t.Errorf("README.md does not mention `flowsift %s`", c.name)
		}
		code, out, _ := runCLI(t, "help", c.name)
		if code != 0 {
			t.Fatalf("help %s: exit %d", c.name, code)
		}
		for _, m := range flag.FindAllStringSubmatch(out, -1) {
			if !strings.Contains(readme, m[1]) {
				t.Errorf("README.md does not document %s %s", c.name, m[1])
			}
		}
	}
	for _, sub := range []string{"check", "sql"} {
		_, out, _ := runCLI(t, "sigma", sub, "--help")
		for _, m := range flag.FindAllStringSubmatch(out, -1) {
			if !strings.Contains(readme, m[1]) {
				t.Errorf("README.md does not document sigma %s %s", sub, m[1])
			}
		}
	}
}

// TestCLIExitCodes checks the documented exit codes of the command line
// itself: help is success, unknown commands and flags are usage errors.
func TestCLIExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{}, exitUsage, "Usage: flowsift COMMAND"},
		{[]string{"help"}, exitOK, ""},
		{[]string{"--version"}, exitOK, ""},
		{[]string{"nonsense"}, exitUsage, `unknown command "nonsense"`},
		{[]string{"extract", "--no-such-flag"}, exitUsage, "unknown flag: --no-such-flag"},
		{[]string{"extract", "x.pcap"}, exitUsage, "--output is required"},
		{[]string{"extract", "-o", "/nonexistent-dir/x", "/nonexistent.pcap"}, exitUsage, "/nonexistent.pcap does not exist"},
		{[]string{"detect", "/nonexistent-dir"}, exitUsage, "/nonexistent-dir does not exist"},
		{[]string{"detect", "."}, exitUsage, "not an extract output directory"},
		{[]string{"detect"}, exitUsage, "need exactly one extract output directory"},
		{[]string{"train", "-o", "m.rf"}, exitUsage, "no training input"},
		{[]string{"train", "-o", "m.rf", "x.pcap"}, exitUsage, "need --labels"},
		{[]string{"predict"}, exitUsage, "need exactly one INPUT"},
		{[]string{"predict", "--model", "/nonexistent.rf", "x"}, exitUsage, "--model"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.err) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.err)
			}
		})
	}
}
