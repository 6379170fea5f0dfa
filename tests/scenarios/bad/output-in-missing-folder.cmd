run
output-in-missing-folder.yaml
-o
no-such-folder/out.h5
