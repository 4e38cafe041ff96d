package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"flowsift/extract"
	"flowsift/internal/atomicfile"
)

func cmdCarve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("carve", "DIR UID... -w FILE", `
Copy the packets of the given flows out of the original capture files into
a new capture for Wireshark or tcpdump. DIR is an extract output directory:
its flows.parquet names each flow's capture file, first packet and time
range, and its capture.json the files' locations. A FILE ending in .pcapng
is written as pcapng (needed when the flows come from captures of different
link types); anything else as classic pcap with nanosecond timestamps. The
file is written atomically and never over an existing one. Each original
must still have the size and SHA-256 that extract recorded: carving from a
changed file fails.`, stdout)
	out := fs.StringP("write", "w", "", "output capture file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{fmt.Errorf("--write is required")}
	}
	if fs.NArg() < 2 {
		return usageError{fmt.Errorf("need an extract directory and at least one flow uid")}
	}
	dir, uids := fs.Arg(0), fs.Args()[1:]
	if err := mustExist(dir); err != nil {
		return err
	}
	// Carved files are evidence, and so may be what is already there.
	exists := usageError{fmt.Errorf("--write %s already exists; carve never overwrites a file", *out)}
	if _, err := os.Lstat(*out); err == nil {
		return exists
	}
	var st extract.CarveStats
	err := atomicfile.WriteNew(*out, func(w io.Writer) error {
		var err error
		st, err = extract.Carve(ctx, dir, uids, w, strings.HasSuffix(strings.ToLower(*out), ".pcapng"))
		return err
	})
	if errors.Is(err, os.ErrExist) {
		return exists
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d packets of %d flows -> %s\n", st.Packets, st.Flows, *out)
	return nil
}
