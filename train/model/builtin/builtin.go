// Package builtin ships flowsift's default model inside the binary, so that
// detection and prediction work before anyone trains a model.
//
// default.rf is a Random Forest (benign vs malicious) and Isolation Forest
// trained by `flowsift train --corpus` on the generator's labelled training
// corpus (datasets.TrainingSet, seed 1); default.rf.evaluation.json is its
// evaluation on the corpus's held-out captures. `task model` rebuilds both,
// byte for byte. The generator's traffic is synthetic: the model knows its
// attack shapes well and real networks less so. Train on your own captures
// for decisions that matter.
package builtin

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"

	"flowsift/train/model"
)

// Name is how the default model is named on the command line and in
// alerts.
const Name = "builtin"

//go:embed default.rf
var defaultRF []byte

// Model loads the default model.
func Model() (*model.Model, error) { return model.Load(bytes.NewReader(defaultRF)) }

// ID identifies the default model in alerts: its name and the start of
// the file's SHA-256.
func ID() string {
	sum := sha256.Sum256(defaultRF)
	return Name + ":" + hex.EncodeToString(sum[:6])
}
