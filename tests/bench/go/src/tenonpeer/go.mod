module tenonpeer

go 1.19
