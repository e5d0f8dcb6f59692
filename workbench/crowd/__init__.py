"""Running a crowd: claims, the qualification test and hidden gold, double labelling, defect rules,
the dashboard and pay."""
