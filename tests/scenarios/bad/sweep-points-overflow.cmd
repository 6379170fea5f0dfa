sweep
sweep-points-overflow.yaml
-o
campaign
--points
5-18446744073709551615
