run
scenario-named-h5.h5
