run
output-is-trace.yaml
-o
one-request.csv
