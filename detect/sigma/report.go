package sigma

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteText writes the report grouped by file: a count line per file, a
// line per rule that is not supported (all rules when verbose, with their
// warnings), then totals and the skip reasons by kind.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	bw := &printer{w: bufio.NewWriter(w)}
	files := map[string][]RuleReport{}
	var order []string
	for _, x := range r.Rules {
		if _, ok := files[x.File]; !ok {
			order = append(order, x.File)
		}
		files[x.File] = append(files[x.File], x)
	}
	for _, f := range order {
		rules := files[f]
		bw.printf("%s: %s\n", f, countLine(rules))
		for _, x := range rules {
			if x.Status == Supported && !verbose {
				continue
			}
			label := x.ID
			if label == "" {
				label = x.Title
			}
			switch x.Status {
			case Supported:
				bw.printf("  supported  %-11s %s %s\n", x.Kind+"/"+string(x.RecordType), label, x.Title)
			default:
				bw.printf("  %-10s %s: %s\n", x.Status, label, x.Reason)
			}
			if verbose {
				for _, wn := range x.Warnings {
					bw.printf("    warning: %s\n", wn)
				}
			}
		}
	}
	bw.printf("total: %d rules in %d files: %s\n", len(r.Rules), len(order), countLine(r.Rules))
	reasons := map[string]int{}
	for _, x := range r.Rules {
		if x.Status == Skipped {
			reasons[reasonKind(x.Reason)]++
		}
	}
	if len(reasons) > 0 {
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if reasons[keys[i]] != reasons[keys[j]] {
				return reasons[keys[i]] > reasons[keys[j]]
			}
			return keys[i] < keys[j]
		})
		bw.printf("skipped by reason:\n")
		for _, k := range keys {
			bw.printf("  %4d  %s\n", reasons[k], k)
		}
	}
	return bw.flush()
}

// printer remembers the first write error so that a report is written
// with plain formatting calls and checked once.
type printer struct {
	w   *bufio.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) flush() error {
	if p.err != nil {
		return p.err
	}
	return p.w.Flush()
}

func countLine(rules []RuleReport) string {
	n := map[Status]int{}
	for _, x := range rules {
		n[x.Status]++
	}
	return fmt.Sprintf("%d supported, %d skipped, %d invalid", n[Supported], n[Skipped], n[Invalid])
}

// reasonKind strips positions and rule-specific values from a reason so
// that reasons of one kind count together.
func reasonKind(r string) string {
	if strings.HasPrefix(r, "line ") {
		if i := strings.Index(r, ": "); i >= 0 {
			r = r[i+2:]
		}
	}
	switch {
	case strings.HasPrefix(r, "logsource "):
		if i := strings.Index(r, "}: "); i >= 0 {
			return "logsource: " + r[i+3:]
		}
	case strings.Contains(r, "requires host telemetry"):
		return "field requires host telemetry (process attribution)"
	case strings.HasPrefix(r, "field ") && strings.Contains(r, "has no column"):
		return "field has no column"
	case strings.Contains(r, "placeholder"):
		return "unexpanded placeholder"
	}
	return r
}

// WriteSQL writes the queries, each after a comment naming its rule, and
// returns the queries that could not be translated.
func WriteSQL(w io.Writer, qs []SQLQuery) (failed []SQLQuery, err error) {
	bw := bufio.NewWriter(w)
	for _, q := range qs {
		if q.Err != nil {
			failed = append(failed, q)
			continue
		}
		if _, err := bw.WriteString(q.Query + "\n"); err != nil {
			return failed, err
		}
	}
	return failed, bw.Flush()
}
