run
weights-out-is-results.yaml
-o
w.h5
