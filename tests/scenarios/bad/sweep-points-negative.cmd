sweep
sweep-points-negative.yaml
-o
campaign
--points
-1--1
