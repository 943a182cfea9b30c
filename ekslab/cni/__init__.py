"""The Amazon VPC CNI: typed settings, add-on schemas per version, rendering and cross-setting rules."""
