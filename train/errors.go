package train

import "errors"

// ErrConfig is returned by Config.Validate and IsolationConfig.Validate for
// settings out of range.
var ErrConfig = errors.New("train: invalid configuration")

// ErrDataset is returned when a Dataset is inconsistent: ragged columns,
// labels outside the class list, too few rows or classes.
var ErrDataset = errors.New("train: invalid dataset")

// ErrTooFewGroups is returned when a group split is asked for more folds
// than there are distinct groups.
var ErrTooFewGroups = errors.New("train: too few groups for the requested folds")
