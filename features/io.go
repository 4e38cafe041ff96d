package features

import (
	"fmt"
	"io"
	"math"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"flowsift/extract/table"
	"flowsift/internal/atomicfile"
)

// FileName is the feature table's name in an output directory.
const FileName = "features.parquet"

// metaVersion is the Parquet metadata key holding the schema version.
const metaVersion = "flowsift.features_schema"

// idColumns precede the features in features.parquet.
var idColumns = []string{"uid", "capture_id", "ts", "orig_h", "resp_h", "label", "label_detail"}

// Write stores s as a Parquet file: identifying columns, then one FLOAT
// column per feature (NaN written as null), atomically.
func Write(path string, s *Set) error {
	group := parquet.Group{
		"uid":          parquet.String(),
		"capture_id":   parquet.String(),
		"ts":           parquet.Timestamp(parquet.Microsecond),
		"orig_h":       parquet.String(),
		"resp_h":       parquet.String(),
		"label":        parquet.Optional(parquet.String()),
		"label_detail": parquet.Optional(parquet.String()),
	}
	for _, n := range s.Schema.Names {
		group[n] = parquet.Optional(parquet.Leaf(parquet.FloatType))
	}
	// parquet.Group orders columns by name; map each name to its index.
	schema := parquet.NewSchema("features", group)
	col := map[string]int{}
	for i, p := range schema.Columns() {
		col[p[0]] = i
	}
	err := atomicfile.Write(path, func(f io.Writer) error { return writeRows(f, schema, col, s) })
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeRows writes the rows of s in schema's column order.
func writeRows(f io.Writer, schema *parquet.Schema, col map[string]int, s *Set) error {
	w := parquet.NewWriter(f, schema, parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		parquet.KeyValueMetadata(metaVersion, s.Schema.Version))
	nCols := len(schema.Columns())
	rows := make([]parquet.Row, 0, 1024)
	flush := func() error {
		_, err := w.WriteRows(rows)
		rows = rows[:0]
		return err
	}
	str := func(v string, c int) parquet.Value { return parquet.ByteArrayValue([]byte(v)).Level(0, 0, c) }
	opt := func(l []string, i, c int) parquet.Value {
		if l == nil || l[i] == "" {
			return parquet.NullValue().Level(0, 0, c)
		}
		return parquet.ByteArrayValue([]byte(l[i])).Level(0, 1, c)
	}
	for i := range s.Rows() {
		row := make(parquet.Row, nCols)
		row[col["uid"]] = str(s.UID[i], col["uid"])
		row[col["capture_id"]] = str(s.CaptureID[i], col["capture_id"])
		row[col["ts"]] = parquet.Int64Value(s.TS[i]/1e3).Level(0, 0, col["ts"])
		row[col["orig_h"]] = str(s.OrigH[i], col["orig_h"])
		row[col["resp_h"]] = str(s.RespH[i], col["resp_h"])
		row[col["label"]] = opt(s.Label, i, col["label"])
		row[col["label_detail"]] = opt(s.LabelDetail, i, col["label_detail"])
		for f, n := range s.Schema.Names {
			c := col[n]
			if v := s.X[f][i]; math.IsNaN(float64(v)) {
				row[c] = parquet.NullValue().Level(0, 0, c)
			} else {
				row[c] = parquet.FloatValue(v).Level(0, 1, c)
			}
		}
		rows = append(rows, row)
		if len(rows) == cap(rows) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return w.Close()
}

// Read loads a features.parquet written by Write, with features in the
// order of names (the model's schema); a missing feature is an error.
func Read(path string, names []string) (*Set, error) {
	f, err := table.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	version, _ := f.Metadata(metaVersion)
	t, err := f.Read(append(append([]string{}, idColumns...), names...)...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSchema, err)
	}
	s := &Set{
		Schema:    Schema{Version: version, Names: names},
		UID:       t.Column("uid").Strs,
		CaptureID: t.Column("capture_id").Strs,
		TS:        t.Column("ts").Ints,
		OrigH:     t.Column("orig_h").Strs,
		RespH:     t.Column("resp_h").Strs,
	}
	if l := t.Column("label"); l.Null == nil || slicesAnyFalse(l.Null) {
		s.Label, s.LabelDetail = l.Strs, t.Column("label_detail").Strs
	}
	for _, n := range names {
		c := t.Column(n)
		col := make([]float32, t.Rows)
		for i := range col {
			if c.IsNull(i) {
				col[i] = nan
			} else {
				col[i] = float32(c.Floats[i])
			}
		}
		s.X = append(s.X, col)
	}
	return s, nil
}

func slicesAnyFalse(b []bool) bool {
	for _, v := range b {
		if !v {
			return true
		}
	}
	return false
}
