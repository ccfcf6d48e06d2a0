"""A matched stub into an answer: templates, delays, chaos and faults, gathered into a
`ResponsePlan` that the serving layer carries out.
"""
