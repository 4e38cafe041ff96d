package sigma

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"flowsift/detect/alert"
	"flowsift/extract/table"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parquet-go/parquet-go"
)

// sharedDir returns ../shared beside the module root, skipping the test
// when it is absent (a fresh clone has no shared test data).
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	p := filepath.Join(filepath.Dir(dir), "shared", sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data %s is absent (it sits beside the repository in CI): %v", p, err)
	}
	return p
}

// record is one test row: its table and its column values.
type record struct {
	Type RecordType
	Cols map[string]any
}

func decodeRecord(line []byte) (record, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return record{}, err
	}
	rt, _ := m["type"].(string)
	delete(m, "type")
	if _, ok := schemas[RecordType(rt)]; !ok {
		return record{}, fmt.Errorf("record type %q unknown", rt)
	}
	return record{Type: RecordType(rt), Cols: m}, nil
}

func readRecords(t testing.TB, path string) []record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		r, err := decodeRecord(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		out = append(out, r)
	}
	return out
}

// buildTable makes an in-memory table of one record type with every
// column any record sets; a record without a column has null there.
func buildTable(t testing.TB, rt RecordType, recs []map[string]any) *table.Table {
	t.Helper()
	tb, err := makeTable(rt, recs)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func makeTable(rt RecordType, recs []map[string]any) (*table.Table, error) {
	names := map[string]bool{}
	for _, r := range recs {
		for k := range r {
			names[k] = true
		}
	}
	tb := &table.Table{Rows: len(recs), Columns: map[string]*table.Column{}}
	cols := make([]string, 0, len(names))
	for n := range names {
		cols = append(cols, n)
	}
	sort.Strings(cols)
	for _, name := range cols {
		ct, ok := schemas[rt][name]
		if !ok {
			return nil, fmt.Errorf("column %s is not in the %s schema", name, rt)
		}
		c := &table.Column{Name: name, Kind: ct.kind, List: ct.list}
		if ct.list {
			c.Offsets = []int32{0}
		}
		c.Null = make([]bool, len(recs))
		for i, r := range recs {
			v, present := r[name]
			if !present || v == nil {
				c.Null[i] = true
				if ct.list {
					c.Offsets = append(c.Offsets, c.Offsets[len(c.Offsets)-1])
				} else if err := appendValue(c, nil); err != nil {
					return nil, err
				}
				continue
			}
			if ct.list {
				items, ok := v.([]any)
				if !ok {
					return nil, fmt.Errorf("column %s: want a list, got %v", name, v)
				}
				for _, it := range items {
					if err := appendValue(c, it); err != nil {
						return nil, fmt.Errorf("column %s: %w", name, err)
					}
				}
				c.Offsets = append(c.Offsets, c.Offsets[len(c.Offsets)-1]+int32(len(items)))
				continue
			}
			if err := appendValue(c, v); err != nil {
				return nil, fmt.Errorf("column %s: %w", name, err)
			}
		}
		tb.Columns[name] = c
	}
	return tb, nil
}

func appendValue(c *table.Column, v any) error {
	switch c.Kind {
	case table.String:
		s := ""
		if v != nil {
			var ok bool
			if s, ok = v.(string); !ok {
				return fmt.Errorf("want a string, got %v", v)
			}
		}
		c.Strs = append(c.Strs, s)
	case table.Int64, table.Time:
		var n int64
		switch x := v.(type) {
		case nil:
		case json.Number:
			var err error
			if n, err = x.Int64(); err != nil {
				return err
			}
		case int:
			n = int64(x)
		case int64:
			n = x
		case string:
			if c.Kind != table.Time {
				return fmt.Errorf("want an integer, got %q", x)
			}
			ts, err := time.Parse(time.RFC3339Nano, x)
			if err != nil {
				return err
			}
			n = ts.UnixNano()
		default:
			return fmt.Errorf("want an integer, got %v", v)
		}
		c.Ints = append(c.Ints, n)
	case table.Float64:
		var f float64
		switch x := v.(type) {
		case nil:
		case json.Number:
			var err error
			if f, err = x.Float64(); err != nil {
				return err
			}
		case float64:
			f = x
		case int:
			f = float64(x)
		default:
			return fmt.Errorf("want a number, got %v", v)
		}
		c.Floats = append(c.Floats, f)
	case table.Bool:
		b := false
		if v != nil {
			var ok bool
			if b, ok = v.(bool); !ok {
				return fmt.Errorf("want a boolean, got %v", v)
			}
		}
		c.Bools = append(c.Bools, b)
	}
	return nil
}

// matchRecords evaluates a ruleset over records and returns, per record
// index, the ids of the rules that matched, sorted.
func matchRecords(t testing.TB, rs *Ruleset, recs []record) map[int][]string {
	t.Helper()
	out := map[int][]string{}
	byType := map[RecordType][]int{}
	for i, r := range recs {
		byType[r.Type] = append(byType[r.Type], i)
	}
	for _, rt := range RecordTypes {
		idx := byType[rt]
		if len(idx) == 0 {
			continue
		}
		rows := make([]map[string]any, len(idx))
		for k, i := range idx {
			rows[k] = recs[i].Cols
		}
		tb := buildTable(t, rt, rows)
		for _, m := range rs.MatchTable(rt, tb) {
			for _, row := range m.Rows {
				out[idx[row]] = append(out[idx[row]], m.RuleID)
			}
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// loadRuleText compiles rule YAML given inline.
func loadRuleText(t testing.TB, cfg Config, text string) (*Ruleset, *Report) {
	t.Helper()
	rs, rep := Compile(cfg, Parse("inline.yml", []byte(text)))
	return rs, rep
}

func mustLoadRule(t testing.TB, text string) *Ruleset {
	t.Helper()
	rs, rep := loadRuleText(t, DefaultConfig(), text)
	for _, r := range rep.Rules {
		if r.Status != Supported {
			t.Fatalf("rule not supported: %s: %s", r.Status, r.Reason)
		}
	}
	return rs
}

// writeParquet writes records of one type as a Parquet file with the
// documented schema: every column present (null when a record lacks it),
// timestamps TIMESTAMP(MICROS, UTC), lists three-level LIST.
func writeParquet(t testing.TB, path string, rt RecordType, recs []map[string]any) {
	t.Helper()
	group := parquet.Group{}
	for _, c := range Columns(rt) {
		var n parquet.Node
		switch c.Kind {
		case table.String:
			n = parquet.String()
		case table.Int64:
			n = parquet.Int(c.Bits)
		case table.Float64:
			n = parquet.Leaf(parquet.DoubleType)
		case table.Bool:
			n = parquet.Leaf(parquet.BooleanType)
		case table.Time:
			n = parquet.Timestamp(parquet.Microsecond)
		}
		if c.List {
			n = parquet.List(parquet.Required(n))
		}
		group[c.Name] = parquet.Optional(n)
	}
	schema := parquet.NewSchema(string(rt), group)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[map[string]any](f, schema, parquet.MaxRowsPerRowGroup(3))
	rows := make([]map[string]any, len(recs))
	for i, r := range recs {
		row := map[string]any{}
		for _, c := range Columns(rt) {
			v, ok := r[c.Name]
			if !ok || v == nil {
				row[c.Name] = nil
				continue
			}
			cv, err := parquetValue(c, v)
			if err != nil {
				t.Fatalf("%s row %d column %s: %v", path, i, c.Name, err)
			}
			row[c.Name] = cv
		}
		rows[i] = row
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func parquetValue(c ColumnInfo, v any) (any, error) {
	if c.List {
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("want a list, got %T", v)
		}
		out := make([]any, len(items))
		for i, it := range items {
			x, err := parquetValue(ColumnInfo{Kind: c.Kind, Bits: c.Bits}, it)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	col := &table.Column{Kind: c.Kind}
	if err := appendValue(col, v); err != nil {
		return nil, err
	}
	switch c.Kind {
	case table.String:
		return col.Strs[0], nil
	case table.Int64:
		if c.Bits == 32 {
			return int32(col.Ints[0]), nil
		}
		return col.Ints[0], nil
	case table.Time:
		return time.Unix(0, col.Ints[0]).UTC(), nil
	case table.Float64:
		return col.Floats[0], nil
	case table.Bool:
		return col.Bools[0], nil
	}
	return nil, fmt.Errorf("unknown kind")
}

// ignoreText ignores the free-text alert fields that tests check
// separately.
func ignoreText() cmp.Option {
	return cmpopts.IgnoreFields(alert.Alert{}, "Description", "Details")
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func writeRows(t testing.TB, path string, schema *parquet.Schema, rows []map[string]any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[map[string]any](f, schema)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
