run
-o
output-is-scenario.yaml
output-is-scenario.yaml
