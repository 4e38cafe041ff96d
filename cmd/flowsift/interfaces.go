package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"flowsift/extract/capture"
)

func cmdInterfaces(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("interfaces", "[--json]", `
List the network interfaces "flowsift capture" can capture on: name, index,
MTU, flags, hardware address and addresses.`, stdout)
	asJSON := fs.Bool("json", false, "print the list as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	ifs, err := capture.Interfaces()
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ifs)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tINDEX\tMTU\tFLAGS\tHARDWARE\tADDRESSES")
	for _, ifi := range ifs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", ifi.Name, ifi.Index, ifi.MTU,
			dashIfEmpty(strings.Join(ifi.Flags, ",")), dashIfEmpty(ifi.HardwareAddr), dashIfEmpty(strings.Join(ifi.Addresses, " ")))
	}
	return tw.Flush()
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
