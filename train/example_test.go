package train_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"

	"flowsift/train"
	"flowsift/train/model"
)

// Example trains, evaluates and saves a model, then loads it and scores a
// batch the way the predict stage does.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	d := &train.Dataset{
		Schema:  model.FeatureSchema{Version: "example-1", Names: []string{"bytes_ratio", "syn_share"}},
		X:       [][]float32{nil, nil},
		Classes: []string{"benign", "malicious"},
	}
	for i := range 400 {
		y := i % 4 / 3 // one row in four is malicious
		d.X[0] = append(d.X[0], float32(rng.NormFloat64()+3*float64(y)))
		d.X[1] = append(d.X[1], float32(rng.Float64()))
		d.Y = append(d.Y, y)
		d.Groups = append(d.Groups, fmt.Sprintf("capture%d", i%5))
	}
	cfg := train.DefaultConfig()
	cfg.Trees = 20
	cfg.GroupKey = "capture"
	ctx := context.Background()
	res, err := train.Fit(ctx, d, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, err := train.Evaluate(ctx, d, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Model.Evaluation = ev
	var file bytes.Buffer
	if err := res.Model.Save(&file); err != nil {
		fmt.Println(err)
		return
	}

	m, err := model.Load(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.CheckSchema(d.Schema); err != nil {
		fmt.Println(err)
		return
	}
	cols := [][]float32{{0.1, 4.2}, {0.5, 0.5}}
	proba := [][]float64{make([]float64, 2), make([]float64, 2)}
	if err := m.PredictBatch(cols, proba); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("split:", m.Evaluation.Split.Method, "over", m.Evaluation.Split.Groups, m.Evaluation.Split.GroupKey, "groups")
	fmt.Println("held-out AUC above 0.9:", m.Evaluation.ROCAUC > 0.9)
	for i := range 2 {
		fmt.Println(m.Classes[m.Classify([]float64{proba[0][i], proba[1][i]})])
	}
	err = m.CheckSchema(model.FeatureSchema{Version: "example-1", Names: []string{"bytes_ratio", "fin_share"}})
	fmt.Println(err)
	// Output:
	// split: group-kfold over 5 capture groups
	// held-out AUC above 0.9: true
	// benign
	// malicious
	// model: feature schema mismatch: feature 1 is "fin_share", model expects "syn_share"
}
