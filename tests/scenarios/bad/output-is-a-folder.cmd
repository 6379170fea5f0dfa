run
output-is-a-folder.yaml
-o
.
