"""Territory reference: communes, their history, départements, régions, EPCI, PVD."""
