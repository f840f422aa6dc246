"""Casework after allocation: assessments, section 47 enquiries, conferences and closure."""
