package features

import (
	"errors"
	"fmt"
)

// SchemaVersion names the feature list below; it changes whenever a
// feature is added, removed, reordered or redefined.
const SchemaVersion = "flowsift-features-1"

// Schema is the versioned list of feature names.
type Schema struct {
	Version string   `json:"version"`
	Names   []string `json:"names"`
}

// ErrSchema is returned when a feature set does not match the expected schema.
var ErrSchema = errors.New("features: schema mismatch")

// Equal reports the first difference between two schemas, nil when equal.
func (s Schema) Equal(o Schema) error {
	if s.Version != o.Version {
		return fmt.Errorf("%w: version %q, want %q", ErrSchema, o.Version, s.Version)
	}
	for i := range max(len(s.Names), len(o.Names)) {
		switch {
		case i >= len(o.Names):
			return fmt.Errorf("%w: feature %q (position %d) missing", ErrSchema, s.Names[i], i)
		case i >= len(s.Names):
			return fmt.Errorf("%w: unexpected feature %q (position %d)", ErrSchema, o.Names[i], i)
		case s.Names[i] != o.Names[i]:
			return fmt.Errorf("%w: position %d is %q, want %q", ErrSchema, i, o.Names[i], s.Names[i])
		}
	}
	return nil
}

// Set is a feature table: identifying columns plus features stored column
// by column (X[feature][row]), the layout the forest trains on.
type Set struct {
	Schema    Schema
	UID       []string
	CaptureID []string
	TS        []int64 // nanoseconds
	OrigH     []string
	RespH     []string
	X         [][]float32
	// Label and LabelDetail are set when the set was labelled (training);
	// otherwise nil.
	Label       []string
	LabelDetail []string
}

// Rows returns the number of rows.
func (s *Set) Rows() int { return len(s.UID) }

// Row copies row i's features into dst (len = number of features).
func (s *Set) Row(i int, dst []float32) {
	for f := range s.X {
		dst[f] = s.X[f][i]
	}
}

// Append adds the rows of o, which must have the same schema.
func (s *Set) Append(o *Set) error {
	if len(s.X) == 0 && s.Rows() == 0 {
		*s = *o
		return nil
	}
	if err := s.Schema.Equal(o.Schema); err != nil {
		return err
	}
	s.UID = append(s.UID, o.UID...)
	s.CaptureID = append(s.CaptureID, o.CaptureID...)
	s.TS = append(s.TS, o.TS...)
	s.OrigH = append(s.OrigH, o.OrigH...)
	s.RespH = append(s.RespH, o.RespH...)
	for f := range s.X {
		s.X[f] = append(s.X[f], o.X[f]...)
	}
	if s.Label != nil || o.Label != nil {
		s.Label = append(pad(s.Label, s.Rows()-o.Rows()), pad(o.Label, o.Rows())...)
		s.LabelDetail = append(pad(s.LabelDetail, s.Rows()-o.Rows()), pad(o.LabelDetail, o.Rows())...)
	}
	return nil
}

func pad(l []string, n int) []string {
	for len(l) < n {
		l = append(l, "")
	}
	return l
}
